"""How a feature queues what the bot says on its own (each feature declares its own purposes),
and the hint that goes under every unasked-for message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Scope
from bot.i18n import N_
from bot.outbox import Purpose, enqueue, enqueue_many
from storage.models import Person

PAUSE_HINT = N_("Even geen berichten meer? Typ /pauze.")


async def push(
    scope: Scope, person: Person, purpose: Purpose, *, key: str, payload: dict[str, Any] | None = None
) -> bool:
    """Queue one message for `person` under a unique key, in the scope's session and moment."""
    return await queue(
        scope.session, scope.settings, key=key, person=person, purpose=purpose, now=scope.now, payload=payload
    )


async def queue(
    session: AsyncSession,
    settings: Settings,
    *,
    key: str,
    person: Person,
    purpose: Purpose,
    now: datetime,
    payload: dict[str, Any] | None = None,
    hold: bool = False,
) -> bool:
    """Queue one message for `person` under a unique key (see `bot.outbox.enqueue`)."""
    return await enqueue(
        session, settings, key=key, person=person, purpose=purpose, now=now, payload=payload, hold=hold
    )


async def queue_many(
    session: AsyncSession,
    settings: Settings,
    *,
    people: Sequence[Any],
    key: Callable[[int], str],
    purpose: Purpose,
    now: datetime,
    payload: dict[str, Any] | None = None,
    hold: bool = False,
) -> int:
    """Queue one message for each of many people at once (see `bot.outbox.enqueue_many`)."""
    return await enqueue_many(
        session, settings, people=people, key=key, purpose=purpose, now=now, payload=payload, hold=hold
    )
