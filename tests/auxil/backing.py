"""Supports and follows written straight into the database, with the idea's counters kept in step,
so tests of counting and listing need not go through the taps."""

from __future__ import annotations

from datetime import datetime

from storage import backing
from storage.db import session_factory
from storage.models import Follow, Idea, Person, Support


async def _back(engine, model, idea_id: int, person_ids, now: datetime) -> None:
    async with session_factory(engine)() as session, session.begin():
        for person_id in person_ids:
            await backing.back(session, model, idea_id, person_id, now)


def _ids(person_id: int | list[int]) -> list[int]:
    return person_id if isinstance(person_id, list) else [person_id]


async def support(engine, idea_id: int, person_id: int | list[int], now: datetime) -> None:
    """The person (or each of the people) supports the idea ("Ik steun dit"), counted as a tap counts it."""
    await _back(engine, Support, idea_id, _ids(person_id), now)


async def follow(engine, idea_id: int, person_id: int | list[int], now: datetime) -> None:
    """The person (or each of the people) follows the idea ("Volgen"), and so the project it becomes."""
    await _back(engine, Follow, idea_id, _ids(person_id), now)


async def unsupport(engine, idea_id: int, person_id: int) -> None:
    async with session_factory(engine)() as session, session.begin():
        await backing.withdraw(session, Support, idea_id, person_id)


async def unfollow(engine, idea_id: int, person_id: int) -> None:
    async with session_factory(engine)() as session, session.begin():
        await backing.withdraw(session, Follow, idea_id, person_id)


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


async def people(engine, count: int, now: datetime, locale: str = "nl") -> list[int]:
    """`count` residents of Heule straight in the database (with no chat: nothing reaches them); their ids."""
    async with session_factory(engine)() as session, session.begin():
        made = [
            Person(
                display_name=f"Buur {n}",
                locale=locale,
                neighbourhood="heule",
                consent_at=now,
                consent_version="2026-11",
                onboarded_at=now,
                last_active_at=now,
            )
            for n in range(count)
        ]
        session.add_all(made)
        await session.flush()
        return [person.id for person in made]
