"""Keeping in touch with a person: a nudge a day after onboarding stalled, a warning a month before
long silence erases them, the erasure itself, and the buttons under those messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Context, Scope
from bot.i18n import N_
from bot.outbox import Purpose, enqueue
from bot.replies import Action, Button, Message, Reply
from handlers.common.pushing import PAUSE_HINT
from handlers.people import menu
from handlers.people.privacy import before_erasure
from storage.models import Conversation, OutboxMessage, Person
from storage.repositories import Audit, People

NUDGE = Purpose("nudge", quiet=True, pausable=True)


# A month before someone long silent is erased, as the privacy text promises; sent also when paused.
RETENTION_WARNING = Purpose("retention_warning", quiet=True)


ANSWER = "nudge"  # route of the buttons under a nudge or a warning


async def nudge(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    if ctx.known_person.onboarded_at is not None:
        return []
    t = ctx.t
    text = t(N_("Je was gisteren begonnen met je profiel. Het duurt nog maar een minuutje. Zullen we verdergaan?"))
    return [Message(text + "\n\n" + t(PAUSE_HINT), (Button(t(N_("Ja, verder")), Action.of(ANSWER, "resume")),))]


async def retention_warning(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    last_active = ctx.known_person.last_active_at
    if last_active.isoformat() != row.payload["last_active"]:
        return []  # they came back before the warning went out
    erase_at = last_active + timedelta(days=30 * ctx.settings.retention_months)
    t = ctx.t
    text = t(
        N_(
            "Ik hoorde al lang niets meer van je. Over {days} dagen wis ik je gegevens, zoals beloofd in "
            "mijn privacytekst. Wil je blijven meedoen? Tik dan hieronder."
        ),
        days=max(1, (erase_at - ctx.now).days),
    )
    return [Message(text, (Button(t(N_("Ik blijf erbij")), Action.of(ANSWER, "stay")),))]


async def on_nudge_button(ctx: Context, tapped: Action) -> None:
    """“Ja, verder” on the onboarding nudge: show the question where they stopped; “Ik blijf
    erbij” before erasure: the tap itself counted as a sign of life."""
    if tapped.verb == "stay":
        ctx.say(ctx.t(N_("Fijn dat je blijft! Ik bewaar je gegevens zolang je meedoet.")))
        menu.show(ctx)
    elif ctx.conversation is not None:
        await ctx.dialogue.render(ctx)
    else:
        menu.show(ctx)


RETENTION_NOTICE = timedelta(days=30)  # how long before erasure a silent person is told


async def nudge_onboarding(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """One nudge, a day after someone stopped halfway through onboarding."""
    stalled = await session.scalars(
        select(Person)
        .join(Conversation, Conversation.person_id == Person.id)
        .where(
            Person.onboarded_at.is_(None),
            Conversation.flow == "onboarding",
            Conversation.updated_at <= now - timedelta(hours=24),
        )
    )
    queued = 0
    for person in stalled:
        queued += await enqueue(
            session,
            settings,
            key=f"nudge:onboarding:person:{person.id}",
            person=person,
            purpose=NUDGE,
            now=now,
        )
    return queued


def silent_since(settings: Settings, now: datetime) -> datetime:
    """Who has been silent since before this moment is erased now."""
    return now - timedelta(days=30 * settings.retention_months)


async def warn_before_erasure(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """A month before erasure, tell the person, once per silence, and let them stay."""
    soon = await session.scalars(
        select(Person).where(Person.last_active_at < silent_since(settings, now) + RETENTION_NOTICE)
    )
    queued = 0
    for person in soon:
        last = person.last_active_at.isoformat()
        queued += await enqueue(
            session,
            settings,
            key=f"retention:person:{person.id}:{last}",
            person=person,
            purpose=RETENTION_WARNING,
            now=now,
            payload={"last_active": last},
        )
    return queued


async def retention(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Erase people who stopped answering RETENTION_MONTHS ago, as /vergeet does (`before_erasure`)."""
    gone = list(await session.scalars(select(Person).where(Person.last_active_at < silent_since(settings, now))))
    for person in gone:
        await before_erasure(Scope(session=session, settings=settings, now=now), person)
        await People(session).erase(person)
        await Audit(session).record("person_erased", now, reason="inactive", version=settings.privacy_version)
    return len(gone)
