"""Supports and follows as rows, with their counters on the idea kept in step: a person's list,
backing an idea once, taking one back, and taking back all of a person's before they are erased."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_name, rows_changed
from storage.models import Follow, Idea, Person, Support

Backing = type[Support] | type[Follow]
# Each kind of backing and the counter on the idea that counts it.
COUNTERS: dict[Backing, str] = {Support: "supporters", Follow: "followers"}


async def backed_by(session: AsyncSession, model: Backing, person: Person) -> list[Idea]:
    """The ideas the person supports (or follows), the earliest first."""
    return list(
        await session.scalars(
            select(Idea).join(model, model.idea_id == Idea.id).where(model.person_id == person.id).order_by(model.at)
        )
    )


async def back(session: AsyncSession, model: Backing, idea_id: int, person_id: int, now: datetime) -> bool:
    """Support (or follow) an idea once; the counter rises only when a row was added, so a second
    tap, or one racing it, changes nothing."""
    insert = postgresql_insert if dialect_name(session) == "postgresql" else sqlite_insert
    added = await rows_changed(
        session,
        insert(model)
        .values(idea_id=idea_id, person_id=person_id, at=now)
        .on_conflict_do_nothing(index_elements=["idea_id", "person_id"]),
    )
    if added:
        counter = getattr(Idea, COUNTERS[model])
        await session.execute(update(Idea).where(Idea.id == idea_id).values({counter: counter + 1}))
    return bool(added)


async def withdraw(session: AsyncSession, model: Backing, idea_id: int, person_id: int) -> bool:
    """Take one support (or follow) back; the counter drops only when a row went, so a second
    tap, or one racing it, changes nothing."""
    gone = await rows_changed(session, delete(model).where(model.idea_id == idea_id, model.person_id == person_id))
    if gone:
        counter = getattr(Idea, COUNTERS[model])
        await session.execute(update(Idea).where(Idea.id == idea_id).values({counter: counter - 1}))
    return bool(gone)


async def withdraw_all(session: AsyncSession, person: Person) -> None:
    """Before erasure: every support and follow of the person goes, and the counts drop (the rows
    would go by cascade, but the counters would not)."""
    for model in COUNTERS:
        for idea_id in list(await session.scalars(select(model.idea_id).where(model.person_id == person.id))):
            await withdraw(session, model, idea_id, person.id)
