"""Why Gangmaker writes to someone on its own, and how each purpose is queued."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Scope
from bot.outbox import Purpose, enqueue, enqueue_many
from storage.models import Idea, Person

# Calls are unasked-for: capped per week, after quiet hours, stopped by /pauze. The Monday
# overview is one message a week that also carries the calls the cap held back, so it is not capped.
CALL = Purpose("call", capped=True, quiet=True, pausable=True)
DIGEST = Purpose("digest", quiet=True, pausable=True)
FOLLOWUP = Purpose("followup", quiet=True, pausable=True)
NUDGE = Purpose("nudge", quiet=True, pausable=True)
OFFER_EXPIRY = Purpose("offer_expiry", quiet=True, pausable=True)
# These concern something the person signed up for, so they arrive at once, also when paused.
REMINDER = Purpose("reminder")
WAITLIST_OFFER = Purpose("waitlist_offer", quiet=True)  # its time to confirm starts after quiet hours
PLACE_PASSED = Purpose("place_passed", quiet=True)
CALL_CANCELLED = Purpose("call_cancelled")
CALL_CHANGED = Purpose("call_changed")
CALL_MESSAGE = Purpose("call_message", quiet=True)  # a coordinator writes to everyone signed up
CALL_ANNOUNCED = Purpose("call_announced")  # to its coordinator: a big call has been queued for everyone
# A month before someone long silent is erased, as the privacy text promises; sent also when paused.
RETENTION_WARNING = Purpose("retention_warning", quiet=True)
# What became of the person's own idea; and the one notice someone blocked gets.
IDEA_OUTCOME = Purpose("idea_outcome", quiet=True)
BLOCKED = Purpose("blocked", to_blocked=True)
# A step of the project made of the person's idea; the answer to a request to join an organisation.
PROJECT_NEWS = Purpose("project_news", quiet=True)
MEMBERSHIP = Purpose("membership")
CALL_APPROVED = Purpose("call_approved")
# A partner and an idea's author talking through the bot, after the author's yes.
CONTACT_ASK = Purpose("contact_ask", quiet=True)
RELAY_OPENED = Purpose("relay_opened")
RELAY_REFUSED = Purpose("relay_refused")
RELAY_MESSAGE = Purpose("relay_message", quiet=True)
RELAY_CLOSED = Purpose("relay_closed")
# Cards for the shared rooms: a new idea and a request to join for the coordinators; a published idea
# and a new offer for the partners.
MODERATION = Purpose("moderation")
MEMBERSHIP_REQUEST = Purpose("membership_request")
CALL_APPROVAL = Purpose("call_approval")
IDEA_PUBLISHED = Purpose("idea_published")
OFFER_CARD = Purpose("offer_card")
REPORT = Purpose("impact_report")  # the monthly impact report for the coordinators' room

ALL = (
    CALL,
    DIGEST,
    FOLLOWUP,
    NUDGE,
    OFFER_EXPIRY,
    REMINDER,
    WAITLIST_OFFER,
    PLACE_PASSED,
    CALL_CANCELLED,
    CALL_CHANGED,
    IDEA_OUTCOME,
    BLOCKED,
    PROJECT_NEWS,
    MEMBERSHIP,
    CONTACT_ASK,
    RELAY_OPENED,
    RELAY_REFUSED,
    RELAY_MESSAGE,
    RELAY_CLOSED,
    CALL_APPROVED,
    MODERATION,
    MEMBERSHIP_REQUEST,
    CALL_APPROVAL,
    IDEA_PUBLISHED,
    OFFER_CARD,
    RETENTION_WARNING,
    CALL_MESSAGE,
    CALL_ANNOUNCED,
    REPORT,
)
CAPPED = frozenset(purpose.name for purpose in ALL if purpose.capped)


async def queue_for_author(ctx: Scope, idea: Idea) -> None:
    """Tell the author (when they are still with us) what became of their idea."""
    author = await ctx.session.get(Person, idea.author_id) if idea.author_id else None
    if author is not None:
        await queue(
            ctx.session,
            ctx.settings,
            key=f"idea:{idea.id}:outcome",
            person=author,
            purpose=IDEA_OUTCOME,
            now=ctx.now,
            payload={"idea_id": idea.id},
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
        session, settings, key=key, person=person, purpose=purpose, now=now, payload=payload, capped=CAPPED, hold=hold
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
        session, settings, people=people, key=key, purpose=purpose, now=now, payload=payload, capped=CAPPED, hold=hold
    )
