"""The short way for a handler to queue what the bot says on its own (`push`; scheduled checks,
which have no scope, use `bot.outbox.enqueue`), to take back what has not gone out (`withdraw`),
to let waiting messages follow a person's new quiet hours, and the hint under every unasked-for message."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Scope
from bot.i18n import N_
from bot.outbox import HELD, Purpose, after_quiet_hours, enqueue, follow_quiet_hours, pushes_this_week
from storage.db import rows_changed
from storage.models import OutboxMessage, Person

PAUSE_HINT = N_("Even geen berichten meer? Typ /pauze.")


async def push(
    scope: Scope, person: Person, purpose: Purpose, *, key: str, payload: dict[str, Any] | None = None
) -> bool:
    """Queue one message for `person` under a unique key, in the scope's session and moment."""
    return await enqueue(
        scope.session, scope.settings, key=key, person=person, purpose=purpose, now=scope.now, payload=payload
    )


async def withdraw(session: AsyncSession, settings: Settings, purpose: Purpose, keys: str, now: datetime) -> int:
    """Take back the messages of `purpose` whose keys start with `keys` that have not gone out
    (what they announce was cancelled or closed): they are skipped, so they no longer count toward
    the weekly cap, and what the cap held back from the same people goes out in their place."""
    waiting = (
        OutboxMessage.purpose == purpose.name,
        OutboxMessage.key.like(f"{keys}%"),
        OutboxMessage.state.in_(("pending", HELD)),
    )
    freed = set(
        await session.scalars(select(OutboxMessage.person_id).where(*waiting, OutboxMessage.state == "pending"))
    )
    taken = await rows_changed(
        session,
        update(OutboxMessage).where(*waiting).values(state="skipped").execution_options(synchronize_session=False),
    )
    await release_held(session, settings, freed, now)
    return taken


async def release_held(session: AsyncSession, settings: Settings, people: set[int | None], now: datetime) -> int:
    """Messages the weekly cap held back from these people go out, oldest first, as far as
    their cap has room now. Returns how many."""
    held = list(
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.person_id.in_([person for person in people if person is not None]),
                OutboxMessage.state == HELD,
                OutboxMessage.created_at > now - timedelta(days=7),
            )
            .order_by(OutboxMessage.person_id, OutboxMessage.created_at, OutboxMessage.id)
        )
    )
    released = 0
    for person_id, rows in groupby(held, key=lambda row: row.person_id):
        person = await session.get(Person, person_id)
        assert person is not None, "an outbox row for a person has its person"
        room = settings.push_weekly_cap - await pushes_this_week(session, person, now)
        for row in list(rows)[: max(room, 0)]:
            row.state, row.not_before = "pending", after_quiet_hours(now, person, settings.timezone)
            released += 1
    await session.flush()
    return released


async def quiet_hours_changed(scope: Scope, person: Person) -> int:
    """The person changed their quiet hours: what waits for the old ones goes out after the new ones."""
    return await follow_quiet_hours(scope.session, scope.settings, person, scope.now)
