"""The short way for a handler to queue what the bot says on its own (`push`; scheduled checks,
which have no scope, use `bot.outbox.enqueue`), and the hint under every unasked-for message."""

from __future__ import annotations

from typing import Any

from bot.context import Scope
from bot.i18n import N_
from bot.outbox import Purpose, enqueue
from storage.models import Person

PAUSE_HINT = N_("Even geen berichten meer? Typ /pauze.")


async def push(
    scope: Scope, person: Person, purpose: Purpose, *, key: str, payload: dict[str, Any] | None = None
) -> bool:
    """Queue one message for `person` under a unique key, in the scope's session and moment."""
    return await enqueue(
        scope.session, scope.settings, key=key, person=person, purpose=purpose, now=scope.now, payload=payload
    )
