"""The calls' scheduled checks: publishing, announcing in batches, reminders, follow-ups, the Monday
overview, waitlist offers, closing calls and ending pauses. Each takes a session, the settings
and the moment, is idempotent, and returns how much it did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import repeating
from bot.config import Settings
from bot.outbox import HELD, enqueue, enqueue_many
from handlers.calls import purposes
from handlers.calls import service as calls
from handlers.common.domain import OPEN, TOOK_PART, CallState, SignUpState
from handlers.common.reach import CARRIED
from storage.db import dialect_name
from storage.models import Call, OutboxMessage, Person, SignUp
from storage.repositories import Calls

DIGEST_WEEKDAY, DIGEST_HOUR = 0, 10  # Monday 10:00 local time


FOLLOWUP_DELAY = timedelta(hours=1)


DIGEST_BATCH = 1000  # overviews inserted per statement


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
    to anyone who still wants calls, the calls the weekly cap held back from them. Set-based: one
    query per open call finds who it fits, and the overviews are inserted a thousand at a time."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.weekday() != DIGEST_WEEKDAY or local.hour < DIGEST_HOUR:
        return 0
    week = local.strftime("%G-W%V")
    open_calls = await Calls(session).open_for_sign_up(now)
    open_ids = [call.id for call in open_calls]
    dialect = dialect_name(session)
    wanted: dict[int, list[int]] = {}  # person id -> call ids, the held ones first
    held_rows: dict[int, list[int]] = {}  # person id -> the held outbox rows an overview carries
    for row_id, person_id, payload in (
        await session.execute(
            select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.payload).where(
                OutboxMessage.state == HELD, OutboxMessage.purpose == purposes.CALL.name
            )
        )
    ).all():
        if payload.get("call_id") in open_ids:
            wanted.setdefault(person_id, []).append(payload["call_id"])
            held_rows.setdefault(person_id, []).append(row_id)
    for call in open_calls:
        for person_id in await session.scalars(
            select(Person.id).where(Person.digest.is_(True), *calls.targeting(call, dialect))
        ):
            ids = wanted.setdefault(person_id, [])
            if call.id not in ids:
                ids.append(call.id)
    answered = set(
        (await session.execute(select(SignUp.call_id, SignUp.person_id).where(SignUp.call_id.in_(open_ids)))).all()
    )
    queued, carried = 0, []
    people = list(wanted)

    def key(person_id: int) -> str:
        return f"digest:{week}:person:{person_id}"

    for start in range(0, len(people), DIGEST_BATCH):
        chunk = people[start : start + DIGEST_BATCH]
        sent = set(
            await session.scalars(
                select(OutboxMessage.person_id).where(  # earlier today
                    OutboxMessage.key.in_([key(person_id) for person_id in chunk])
                )
            )
        )
        batch = (
            await session.execute(
                select(Person.id, Person.quiet_start, Person.quiet_end).where(
                    Person.id.in_([person_id for person_id in chunk if person_id not in sent]),
                    Person.onboarded_at.is_not(None),
                    calls.wanting_calls(),  # a call held back from who has since chosen only Meedenken
                )
            )
        ).all()
        for call_ids, group in _by_calls(batch, wanted, answered).items():
            queued += await enqueue_many(
                session,
                settings,
                people=group,
                key=key,
                purpose=purposes.DIGEST,
                now=now,
                payload={"call_ids": list(call_ids)},
            )
            carried += [row_id for person in group for row_id in held_rows.get(person.id, ())]
    for start in range(0, len(carried), DIGEST_BATCH):
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(carried[start : start + DIGEST_BATCH]))
            .values(state=CARRIED)
        )
    return queued


def _by_calls(
    people: Sequence[Row[int, int, int]], wanted: dict[int, list[int]], answered: set[Row[int, int]]
) -> dict[tuple[int, ...], list[Row[int, int, int]]]:
    """People grouped by the (at most five) calls their overview lists, those they answered left out."""
    groups: dict[tuple[int, ...], list[Row[int, int, int]]] = {}
    for person in people:
        ids = tuple([call_id for call_id in wanted[person.id] if (call_id, person.id) not in answered][:5])
        if ids:
            groups.setdefault(ids, []).append(person)
    return groups


async def expire_place_offers(session: AsyncSession, settings: Settings, now: datetime) -> int:
    return await calls.expire_place_offers(session, settings, now)


async def close_calls(session: AsyncSession, settings: Settings, now: datetime) -> int:
    return await calls.close_past_deadline(session, settings, now)


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
