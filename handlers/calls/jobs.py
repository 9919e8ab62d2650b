"""The calls' scheduled checks: publishing, announcing in batches, reminders, follow-ups, the Monday
overview, waitlist offers, closing calls and ending pauses. Each takes a session, the settings
and the moment, is idempotent, and returns how much it did."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import repeating
from bot.config import Settings
from bot.outbox import enqueue
from handlers.calls import overview as calls_overview
from handlers.calls import purposes
from handlers.calls import service as calls
from handlers.common import overview
from handlers.common.domain import OPEN, TOOK_PART, CallState, SignUpState
from storage.models import Call, Person, SignUp

DIGEST_WEEKDAY, DIGEST_HOUR = 0, 10  # Monday 10:00 local time


FOLLOWUP_DELAY = timedelta(hours=1)

# What the Monday overview lists; more kinds (question rounds, followed projects) join as sources.
OVERVIEW = (calls_overview.SOURCE,)


async def publish_scheduled(session: AsyncSession, settings: Settings, now: datetime) -> int:
    due = list(await session.scalars(select(Call).where(Call.state == CallState.SCHEDULED, Call.publish_at <= now)))
    for call in due:
        await calls.publish(session, settings, call, now)
    return len(due)


@repeating
async def announce_calls(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """The next batch of a big call's announcements, in a transaction of its own (the scheduler
    runs this again while it does something); once a call is announced to everyone, its
    coordinator hears so."""
    call = await session.scalar(
        select(Call)
        .where(Call.state == CallState.PUBLISHED, Call.announced_at.is_(None))
        .order_by(Call.published_at, Call.id)
        .limit(1)
    )
    if call is None:
        return 0
    covered = await calls.announce(session, settings, call, now)
    creator = await session.get(Person, call.created_by) if call.created_by else None
    if call.announced_at is not None and creator is not None:
        await enqueue(
            session,
            settings,
            key=f"call:{call.id}:announced",
            person=creator,
            purpose=purposes.CALL_ANNOUNCED,
            now=now,
            payload={"call_id": call.id, "people": await calls.audience_size(session, call)},
        )
    return covered or 1  # a batch that found nobody still finished a call: look for the next


async def remind(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Before the start, to those signed up: only the latest reminder whose time has come."""
    queued = 0
    upcoming = await session.scalars(select(Call).where(Call.state.in_(OPEN), Call.starts_at > now))
    for call in upcoming:
        due = [m for m in sorted(call.reminder_minutes) if call.starts_at - timedelta(minutes=m) <= now]
        if not due:
            continue
        minutes = due[0]
        for person in await _signed_up(session, call, (SignUpState.JOINED,)):
            queued += await enqueue(
                session,
                settings,
                key=f"call:{call.id}:person:{person.id}:remind:{minutes}",
                person=person,
                purpose=purposes.REMINDER,
                now=now,
                payload={"call_id": call.id},
            )
    return queued


async def follow_up(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """After the end, ask those who came how it went (within three days)."""
    queued = 0
    ended = await session.scalars(
        select(Call).where(
            Call.state.in_(OPEN), Call.ends_at <= now - FOLLOWUP_DELAY, Call.ends_at > now - timedelta(days=3)
        )
    )
    for call in ended:
        for person in await _signed_up(session, call, TOOK_PART):
            queued += await enqueue(
                session,
                settings,
                key=f"call:{call.id}:person:{person.id}:followup",
                person=person,
                purpose=purposes.FOLLOWUP,
                now=now,
                payload={"call_id": call.id},
            )
    return queued


async def digest(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """On Monday from 10:00 (until the end of that day): open calls that fit, to who asked; and
    to anyone who still wants calls, the calls the weekly cap held back from them. Built by
    `handlers.common.overview` from its sources, a batch of residents per transaction."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.weekday() != DIGEST_WEEKDAY or local.hour < DIGEST_HOUR:
        return 0
    return await overview.build(
        session, settings, now, week=local.strftime("%G-W%V"), sources=OVERVIEW, purpose=purposes.DIGEST
    )


async def expire_place_offers(session: AsyncSession, settings: Settings, now: datetime) -> int:
    return await calls.expire_place_offers(session, settings, now)


async def close_calls(session: AsyncSession, settings: Settings, now: datetime) -> int:
    return await calls.close_past_deadline(session, now)


async def _signed_up(session: AsyncSession, call: Call, states: tuple[str, ...]) -> list[Person]:
    return list(
        await session.scalars(
            select(Person)
            .join(SignUp, SignUp.person_id == Person.id)
            .where(SignUp.call_id == call.id, SignUp.state.in_(states))
            .order_by(Person.id)
        )
    )


async def end_pauses(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """A pause for a week or a month ends by itself."""
    ended = list(await session.scalars(select(Person).where(Person.paused.is_(True), Person.paused_until <= now)))
    for person in ended:
        person.paused, person.paused_until = False, None
    return len(ended)
