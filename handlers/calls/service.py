"""What happens to calls for participation: targeting, publishing, joining, the waitlist, cancelling.

Plain functions on a database session, shared by the chat handlers, the scheduler and
the `gangmaker call` command line.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, distinct, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.outbox import after_quiet_hours, enqueue, enqueue_many
from bot.scheduler import wake_checks
from handlers.calls import purposes
from handlers.common import audience, pushing
from handlers.common import reach as announcements
from handlers.common.domain import HELPING, HOLDING, OPEN, CallState, SignUpState
from storage.db import dialect_name
from storage.models import Call, Offer, OutboxMessage, Person, SignUp
from storage.repositories import referenced

DEFAULT_REMINDERS = (24 * 60, 120)  # minutes before the start
OFFER_KINDS = {"time": "time", "expertise": "expertise", "money": "gift"}  # call need -> offer kind
TRANSLATED = ("en", "fr")  # the languages a call may be written in besides Dutch
# What those signed up hear of when it changes: what the card shows them (not the targeting).
TOLD_CHANGES = ("title", "description", "starts_at", "ends_at", "address", "neighbourhood")
ANNOUNCE_BATCH = 1000  # people queued per transaction: a small call at once, a big one in the background


def call_text(call: Call, field: str, locale: str) -> str:
    """The title or description in the reader's language, falling back to Dutch."""
    return in_language(getattr(call, field) or {}, locale)


def in_language(texts: dict[str, str], locale: str) -> str:
    """The text of `texts` (by language) in the reader's language, falling back to Dutch."""
    return texts.get(locale) or texts.get("nl") or ""


def wants_calls(person: Person) -> bool:
    """Whether the person gets calls: who chose Meehelpen or Allebei, or never chose (as before
    the levels counted); who chose only Meedenken gets question rounds instead."""
    return person.level is None or person.level in HELPING


def wanting_calls() -> Any:
    """`wants_calls` as an SQL condition on Person."""
    return or_(Person.level.is_(None), Person.level.in_(HELPING))


def fits(call: Call, person: Person) -> bool:
    """Whether the call is for this person: what `targeting` asks of their profile (their level and
    the targeting lists), in Python; keep the two in step."""
    return wants_calls(person) and audience.aimed_at(call, person)


async def matching_offers(session: AsyncSession, call: Call, best: int = 3) -> tuple[int, list[Offer]]:
    """How many open offers are of a kind the call needs, and the `best` of them: same neighbourhood,
    more hours, oldest first. Counted and ranked in the database, whatever the city's size: a count
    (with the offerers' profiles only when the call is aimed), the ids of the best, then those rows."""
    kinds = sorted({OFFER_KINDS[need] for need in call.needs if need in OFFER_KINDS})
    if not kinds:
        return 0, []
    dialect = dialect_name(session)
    aimed = audience.aimed(call, dialect)  # an offer is a yes of its own: whatever level its person chose
    usable = [
        Offer.state == "open",
        Offer.kind.in_(kinds),
        or_(Offer.valid_until.is_(None), Offer.valid_until >= call.starts_at),
        *aimed,
    ]
    counted = select(func.count(Offer.id)).where(*usable)
    fitting = await session.scalar(counted.join(Person, Person.id == Offer.person_id) if aimed else counted) or 0
    if not fitting:
        return 0, []
    elsewhere = (
        Person.neighbourhood.is_not(None)
        if call.neighbourhood is None
        else case((Person.neighbourhood == call.neighbourhood, 0), else_=1)
    )
    ranked = (
        select(Offer.id)
        .join(Person, Person.id == Offer.person_id)
        .where(*usable)
        .order_by(
            elsewhere,
            *([_shared_tags(call.themes, dialect).desc()] if call.themes else []),
            func.coalesce(Offer.details["hours"].as_float(), 0).desc(),
            Offer.created_at,
            Offer.id,
        )
        .limit(best)
    )
    ids = list(await session.scalars(ranked))
    found = {offer.id: offer for offer in await session.scalars(select(Offer).where(Offer.id.in_(ids)))}
    return fitting, [found[id_] for id_ in ids]


def _shared_tags(themes: list[str], dialect: str) -> Any:
    """How many of `themes` an offer's tags hold, as an SQL expression on Offer."""
    if dialect == "postgresql":
        tags = func.jsonb_array_elements_text(cast(Offer.details, JSONB)["tags"]).table_valued("value")
    else:
        tags = func.json_each(Offer.details, "$.tags").table_valued("value")
    return select(func.count(distinct(tags.c.value))).where(tags.c.value.in_(themes)).scalar_subquery()


def targeting(call: Call, dialect: str) -> list[Any]:
    """The call's audience as SQL conditions on Person: the audience its lists describe
    (`handlers.common.audience`), of those wanting calls. `fits` says the same of one person in Python."""
    return [*audience.conditions(call, dialect), wanting_calls()]


async def audience_size(session: AsyncSession, call: Call) -> int:
    """How many people the call reaches: one count in the database."""
    return await session.scalar(select(func.count(Person.id)).where(*targeting(call, dialect_name(session)))) or 0


async def announce(session: AsyncSession, settings: Settings, call: Call, now: datetime) -> int:
    """Queue the call for the next ANNOUNCE_BATCH people of its audience; returns how many this batch
    covered. A project's call goes first to the project's followers who want calls, whatever its lists say."""
    if call.project_id is not None and not call.announced_to:
        told = literal(f"call:{call.id}:person:") + cast(Person.id, String) + literal(":announce")
        followers = (
            await session.execute(
                select(Person.id, Person.quiet_start, Person.quiet_end)
                .where(
                    *audience.followers(call.project_id), wanting_calls(), ~exists().where(OutboxMessage.key == told)
                )
                .order_by(Person.id)
                .limit(ANNOUNCE_BATCH)
            )
        ).all()
        if followers:
            await enqueue_many(
                session,
                settings,
                people=followers,
                key=lambda person_id: announcement_key(call, person_id),
                purpose=purposes.CALL,
                now=now,
                payload={"call_id": call.id},
                hold=True,
            )
            return len(followers)
    return await audience.announce_batch(
        session,
        settings,
        call,
        targeting(call, dialect_name(session)),
        purpose=purposes.CALL,
        key=lambda person_id: announcement_key(call, person_id),
        payload={"call_id": call.id},
        now=now,
        batch=ANNOUNCE_BATCH,
    )


def announcement_key(call: Call, person_id: int) -> str:
    return f"call:{call.id}:person:{person_id}:announce"


async def publish(session: AsyncSession, settings: Settings, call: Call, now: datetime) -> int:
    """Publish the call and queue its first announcements at once (a big audience is finished in
    the background, batch by batch); returns how many people it reaches."""
    call.state, call.published_at, call.announced_to, call.announced_at = CallState.PUBLISHED, now, 0, None
    await announce(session, settings, call, now)
    if call.announced_at is None:  # more than a batch: the background goes on as soon as this commits
        wake_checks(session)
    return await audience_size(session, call)


async def reach(session: AsyncSession, call: Call, now: datetime) -> dict[str, int]:
    """Where the call's announcements are (`handlers.common.reach`)."""
    return await announcements.reach(session, purposes.CALL.name, f"call:{call.id}:person:", now)


async def count(session: AsyncSession, call: Call, *states: str) -> int:
    return (
        await session.scalar(select(func.count(SignUp.id)).where(SignUp.call_id == call.id, SignUp.state.in_(states)))
        or 0
    )


async def places_left(session: AsyncSession, call: Call) -> int | None:
    if call.capacity is None:
        return None
    return max(call.capacity - await count(session, call, *HOLDING), 0)


async def sign_up_of(session: AsyncSession, call: Call, person: Person) -> SignUp | None:
    return await session.scalar(select(SignUp).where(SignUp.call_id == call.id, SignUp.person_id == person.id))


async def waitlist_position(session: AsyncSession, sign_up: SignUp) -> int:
    ahead = await session.scalar(
        select(func.count(SignUp.id)).where(
            SignUp.call_id == sign_up.call_id,
            SignUp.state == SignUpState.WAITLISTED,
            (SignUp.created_at < sign_up.created_at)
            | ((SignUp.created_at == sign_up.created_at) & (SignUp.id < sign_up.id)),
        )
    )
    return (ahead or 0) + 1


async def lock(session: AsyncSession, call: Call) -> None:
    """Serialise changes to the places of one call (PostgreSQL; SQLite has one writer anyway)."""
    await session.execute(select(Call.id).where(Call.id == call.id).with_for_update())


async def join(session: AsyncSession, call: Call, person: Person, now: datetime) -> SignUp:
    """Take a place, or a place on the waitlist when the call is full or others wait already."""
    await lock(session, call)
    sign_up = await sign_up_of(session, call, person)
    if sign_up is not None and sign_up.state in (*HOLDING, SignUpState.WAITLISTED):
        return sign_up
    left = await places_left(session, call)
    waiting = await count(session, call, SignUpState.WAITLISTED)
    state = SignUpState.JOINED if (left is None or left > 0) and not waiting else SignUpState.WAITLISTED
    if sign_up is None:
        sign_up = SignUp(call_id=call.id, person_id=person.id, state=state, created_at=now, updated_at=now)
        session.add(sign_up)
    else:
        sign_up.state, sign_up.created_at, sign_up.offer_expires_at = state, now, None
    await session.flush()
    return sign_up


async def decline(session: AsyncSession, call: Call, person: Person, now: datetime) -> None:
    """ "Niet nu": remembered, so the call is not pushed again."""
    sign_up = await sign_up_of(session, call, person)
    if sign_up is None:
        session.add(SignUp(call_id=call.id, person_id=person.id, state="declined", created_at=now, updated_at=now))
    await session.flush()


async def cancel_sign_up(session: AsyncSession, settings: Settings, sign_up: SignUp, now: datetime) -> None:
    """Give up a place (or a waitlist place); a freed place goes to the next in line."""
    await lock(session, await referenced(session, Call, sign_up.call_id))
    freed = sign_up.state in HOLDING
    sign_up.state, sign_up.offer_expires_at = SignUpState.CANCELLED, None
    await session.flush()
    if freed:
        await offer_next_place(session, settings, await referenced(session, Call, sign_up.call_id), now)


async def offer_next_place(session: AsyncSession, settings: Settings, call: Call, now: datetime) -> int:
    """Offer every free place to the next on the waitlist, each with a time limit to confirm."""
    if call.state not in OPEN or call.starts_at <= now:
        return 0
    offered = 0
    while True:
        left = await places_left(session, call)
        if left is not None and left <= 0:
            return offered
        first = await session.scalar(
            select(SignUp)
            .where(SignUp.call_id == call.id, SignUp.state == SignUpState.WAITLISTED)
            .order_by(SignUp.created_at, SignUp.id)
            .limit(1)
        )
        if first is None:
            return offered
        person = await referenced(session, Person, first.person_id)
        first.state = SignUpState.OFFERED
        first.offer_expires_at = offer_deadline(settings, call, person, now)
        await session.flush()
        await enqueue(
            session,
            settings,
            key=f"call:{call.id}:person:{person.id}:offer:{int(now.timestamp())}",
            person=person,
            purpose=purposes.WAITLIST_OFFER,
            now=now,
            payload={"call_id": call.id},
        )
        offered += 1


def offer_deadline(settings: Settings, call: Call, person: Person, now: datetime) -> datetime:
    """Until when a freed place waits for the person: the usual hours, counted from the end of
    their quiet hours, up to a whole hour (a time people remember), and never past the start."""
    limit = after_quiet_hours(now, person, settings.timezone) + timedelta(hours=settings.waitlist_offer_hours)
    if limit.minute or limit.second or limit.microsecond:
        limit = limit.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return min(limit, call.starts_at)


async def confirm_place(session: AsyncSession, sign_up: SignUp, now: datetime) -> bool:
    call = await referenced(session, Call, sign_up.call_id)
    await lock(session, call)
    if sign_up.state != SignUpState.OFFERED or (sign_up.offer_expires_at and sign_up.offer_expires_at < now):
        return False
    if call.state not in OPEN or call.starts_at <= now:
        return False
    sign_up.state, sign_up.offer_expires_at = SignUpState.JOINED, None
    return True


async def expire_place_offers(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Offers nobody confirmed in time pass to the next on the waitlist."""
    expired = list(
        await session.scalars(select(SignUp).where(SignUp.state == SignUpState.OFFERED, SignUp.offer_expires_at < now))
    )
    for sign_up in expired:
        sign_up.state, sign_up.offer_expires_at = SignUpState.PASSED, None
        await session.flush()
        await enqueue(
            session,
            settings,
            key=f"call:{sign_up.call_id}:person:{sign_up.person_id}:passed:{int(now.timestamp())}",
            person=await referenced(session, Person, sign_up.person_id),
            purpose=purposes.PLACE_PASSED,
            now=now,
            payload={"call_id": sign_up.call_id},
        )
        await offer_next_place(session, settings, await referenced(session, Call, sign_up.call_id), now)
    return len(expired)


async def cancel_call(session: AsyncSession, settings: Settings, call: Call, now: datetime) -> int:
    """Cancel the call and tell everyone signed up or waiting; returns how many were told."""
    call.state = CallState.CANCELLED
    await pushing.withdraw(session, settings, purposes.CALL, f"call:{call.id}:person:", now)  # not out: not counted
    return await tell_signed_up(session, settings, call, now, purposes.CALL_CANCELLED, "cancelled")


async def tell_signed_up(
    session: AsyncSession,
    settings: Settings,
    call: Call,
    now: datetime,
    purpose: purposes.Purpose,
    key: str,
    **payload: Any,
) -> int:
    """Queue a message about the call for everyone with a place or on the waitlist."""
    told = 0
    sign_ups = await session.scalars(
        select(SignUp).where(SignUp.call_id == call.id, SignUp.state.in_((*HOLDING, SignUpState.WAITLISTED)))
    )
    for sign_up in list(sign_ups):
        person = await referenced(session, Person, sign_up.person_id)
        told += await enqueue(
            session,
            settings,
            key=f"call:{call.id}:person:{person.id}:{key}",
            person=person,
            purpose=purpose,
            now=now,
            payload={"call_id": call.id, **payload},
        )
    return told


async def close_past_deadline(session: AsyncSession, settings: Settings, now: datetime) -> int:
    calls = list(await session.scalars(select(Call).where(Call.state == CallState.PUBLISHED, Call.deadline < now)))
    for call in calls:
        await close(session, settings, call, now)
    return len(calls)


async def close(session: AsyncSession, settings: Settings, call: Call, now: datetime) -> None:
    """No more sign-ups: who is in stays in, and announcements not out yet are taken back."""
    call.state = CallState.CLOSED
    await pushing.withdraw(session, settings, purposes.CALL, f"call:{call.id}:person:", now)


def answers_of(call: Call) -> dict[str, Any]:
    """The answers of the call dialogue that describe this call (to change it)."""
    return {
        "title": call.title.get("nl", ""),
        "description": call.description.get("nl", ""),
        "needs": call.needs,
        "translate": [locale for locale in TRANSLATED if call.title.get(locale) or call.description.get(locale)],
        **{
            f"{field}_{locale}": getattr(call, field).get(locale)
            for field in ("title", "description")
            for locale in TRANSLATED
        },
        "themes": call.themes,
        "neighbourhood": call.neighbourhood,
        "address": call.address,
        "starts_at": call.starts_at.isoformat(),
        "ends_at": call.ends_at.isoformat(),
        "capacity": call.capacity or 0,
        # Left at "tot het begin", the deadline stays so: it follows the start when that moves.
        "deadline": None if call.deadline == call.starts_at else call.deadline.isoformat(),
        "target_neighbourhoods": call.target_neighbourhoods,
        "target_contributions": call.target_contributions,
        "target_roles": call.target_roles,
        "target_languages": call.target_languages,
        "reminders": [str(minutes) for minutes in call.reminder_minutes],
        "publish": "later" if call.state == CallState.SCHEDULED else "now",
        "publish_at": call.publish_at.isoformat() if call.state == CallState.SCHEDULED and call.publish_at else None,
    }


async def update_call(
    session: AsyncSession, settings: Settings, call: Call, answers: dict[str, Any], now: datetime
) -> int:
    """Apply changed answers; everyone signed up hears what changed for them (the old values go in
    the message's payload as `was`). Returns how many were told."""
    changed = new_call(answers, None, now)
    was = {
        field: _plain(getattr(call, field)) for field in TOLD_CHANGES if getattr(call, field) != getattr(changed, field)
    }
    for field in (
        "needs",
        "themes",
        "neighbourhood",
        "address",
        "starts_at",
        "ends_at",
        "capacity",
        "deadline",
        "target_neighbourhoods",
        "target_contributions",
        "target_roles",
        "target_languages",
        "reminder_minutes",
    ):
        setattr(call, field, getattr(changed, field))
    call.title, call.description = changed.title, changed.description
    if call.state in (CallState.DRAFT, CallState.SCHEDULED):
        call.publish_at, call.state = changed.publish_at, changed.state
        if call.state == CallState.DRAFT:  # changed to "now"
            await publish(session, settings, call, now)
        return 0
    told = (
        await tell_signed_up(
            session, settings, call, now, purposes.CALL_CHANGED, f"changed:{uuid.uuid4().hex}", was=was
        )
        if was
        else 0
    )
    await offer_next_place(session, settings, call, now)  # a larger capacity frees places
    return told


def _plain(value: Any) -> Any:
    """A call's value as JSON can keep it (a moment as ISO text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def _translations(answers: dict[str, Any], field: str) -> dict[str, str]:
    """The English and French texts of a call the dialogue gave ("title_en"...), where given."""
    return {locale: answers[f"{field}_{locale}"] for locale in TRANSLATED if answers.get(f"{field}_{locale}")}


def new_call(answers: dict[str, Any], creator: Person | None, now: datetime) -> Call:
    """A call from the coordinator's answers (the same fields as `gangmaker call create`)."""
    starts_at = datetime.fromisoformat(answers["starts_at"])
    publish_at = datetime.fromisoformat(answers["publish_at"]) if answers.get("publish_at") else None
    return Call(
        title={"nl": answers["title"], **(answers.get("title_i18n") or {}), **_translations(answers, "title")},
        description={
            "nl": answers["description"],
            **(answers.get("description_i18n") or {}),
            **_translations(answers, "description"),
        },
        needs=answers.get("needs") or [],
        themes=answers.get("themes") or [],
        neighbourhood=answers.get("neighbourhood"),
        address=answers["address"],
        starts_at=starts_at,
        ends_at=datetime.fromisoformat(answers["ends_at"]),
        capacity=answers.get("capacity") or None,
        deadline=datetime.fromisoformat(answers["deadline"]) if answers.get("deadline") else starts_at,
        publish_at=publish_at,
        state=CallState.SCHEDULED if publish_at and publish_at > now else CallState.DRAFT,
        target_neighbourhoods=answers.get("target_neighbourhoods") or [],
        target_contributions=answers.get("target_contributions") or [],
        target_roles=answers.get("target_roles") or [],
        target_languages=answers.get("target_languages") or [],
        reminder_minutes=sorted({int(m) for m in answers.get("reminders") or DEFAULT_REMINDERS}, reverse=True),
        created_by=creator.id if creator else None,
        created_at=now,
        updated_at=now,
    )
