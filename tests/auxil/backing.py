"""Supports and follows written straight into the database, with the idea's counters kept in step,
so tests of counting and listing need not go through the taps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from storage.db import session_factory
from storage.models import Follow, Idea, Person, Support


async def _back(engine, model, counter: str, idea_id: int, person_ids, now: datetime) -> None:
    async with session_factory(engine)() as session, session.begin():
        for person_id in person_ids:
            session.add(model(idea_id=idea_id, person_id=person_id, at=now))
        column = getattr(Idea, counter)
        await session.execute(update(Idea).where(Idea.id == idea_id).values({column: column + len(person_ids)}))


async def support(engine, idea_id: int, person_id: int | list[int], now: datetime) -> None:
    """The person (or each of the people) supports the idea."""
    ids = person_id if isinstance(person_id, list) else [person_id]
    await _back(engine, Support, "supporters", idea_id, ids, now)


async def follow(engine, idea_id: int, person_id: int | list[int], now: datetime) -> None:
    """The person (or each of the people) follows the idea."""
    ids = person_id if isinstance(person_id, list) else [person_id]
    await _back(engine, Follow, "followers", idea_id, ids, now)


async def idea(
    engine,
    now: datetime,
    text: str = "Bloembakken in de Groeningestraat.",
    *,
    state: str = "published",
    theme: str = "green",
    place: str = "heule",
    author_id: int | None = None,
) -> int:
    """A published idea (or one in `state`) with no author unless given; its id."""
    async with session_factory(engine)() as session, session.begin():
        row = Idea(
            author_id=author_id,
            problem="Te weinig groen.",
            idea=text,
            theme=theme,
            place=place,
            will_help=False,
            state=state,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def people(engine, count: int, now: datetime) -> list[int]:
    """`count` residents (no chat of their own), for counting; their ids."""
    async with session_factory(engine)() as session, session.begin():
        rows = [
            Person(display_name=f"Buur {n}", locale="nl", consent_at=now, consent_version="2026-11")
            for n in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]
