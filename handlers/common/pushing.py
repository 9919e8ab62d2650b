"""The short way for a handler to queue what the bot says on its own (`push`; scheduled checks,
which have no scope, use `bot.outbox.enqueue`), to take back what has not gone out (`withdraw`),
to let waiting messages follow a person's new quiet hours, and the hint under every unasked-for message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Scope
from bot.i18n import N_
from bot.outbox import HELD, Purpose, enqueue, follow_quiet_hours
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


async def withdraw(session: AsyncSession, purpose: Purpose, keys: str) -> int:
    """Take back the messages of `purpose` whose keys start with `keys` that have not gone out
    (what they announce was cancelled): they are skipped, so they no longer count toward the weekly cap."""
    return await rows_changed(
        session,
        update(OutboxMessage)
        .where(
            OutboxMessage.purpose == purpose.name,
            OutboxMessage.key.like(f"{keys}%"),
            OutboxMessage.state.in_(("pending", HELD)),
        )
        .values(state="skipped")
        .execution_options(synchronize_session=False),
    )


async def quiet_hours_changed(scope: Scope, person: Person) -> int:
    """The person changed their quiet hours: what waits for the old ones goes out after the new ones."""
    return await follow_quiet_hours(scope.session, scope.settings, person, scope.now)
