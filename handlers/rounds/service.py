"""What happens to question rounds: the audience, publishing in batches, recording answers, closing.

Plain functions on a database session, shared by the chat handlers, the scheduler and the
`gangmaker round` command line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.scheduler import wake_checks
from handlers.common import audience
from handlers.common import reach as announcements
from handlers.common.domain import THINKING, RoundState
from handlers.rounds import live, purposes
from handlers.rounds.questions import Kind
from storage.db import dialect_name
from storage.models import Person, Round, RoundAnswer, RoundResponse

ANNOUNCE_BATCH = 1000  # people queued per transaction, as for calls
OTHER = -1  # the option number of "iets anders"


def new_round(answers: dict[str, Any], questions: list[dict[str, Any]], creator: Person | None, now: datetime) -> Round:
    """A round from its owner's answers (the same fields as `gangmaker round create`)."""
    publish_at = datetime.fromisoformat(answers["publish_at"]) if answers.get("publish_at") else None
    return Round(
        title=answers["title"],
        why=answers["why"],
        questions=questions,
        themes=answers.get("themes") or [],
        target_neighbourhoods=answers.get("target_neighbourhoods") or [],
        target_roles=answers.get("target_roles") or [],
        target_languages=[],
        target_contributions=[],
        everyone=answers.get("who") == "everyone",
        closes_at=datetime.fromisoformat(answers["closes_at"]),
        publish_at=publish_at,
        state=RoundState.SCHEDULED if publish_at and publish_at > now else RoundState.DRAFT,
        created_by=creator.id if creator else None,
        created_at=now,
        updated_at=now,
    )


def targeting(round_: Round, dialect: str) -> list[Any]:
    """The round's audience as SQL conditions on Person: by default those who chose to think along."""
    found = audience.conditions(round_, dialect)
    if not round_.everyone:
        found.append(Person.level.in_(THINKING))
    return found


def fits(round_: Round, person: Person) -> bool:
    return audience.aimed_at(round_, person) and (round_.everyone or person.level in THINKING)


async def audience_size(session: AsyncSession, round_: Round) -> int:
    return await session.scalar(select(func.count(Person.id)).where(*targeting(round_, dialect_name(session)))) or 0


def is_open(round_: Round, now: datetime) -> bool:
    """Whether answers are taken: sent, and not closed yet."""
    return round_.state == RoundState.OPEN and round_.closes_at > now


def announcement_key(round_: Round, person_id: int) -> str:
    return f"round:{round_.id}:person:{person_id}:announce"


async def announce(session: AsyncSession, settings: Settings, round_: Round, now: datetime) -> int:
    """Queue the round for the next batch of its audience; returns how many this batch covered."""
    return await audience.announce_batch(
        session,
        settings,
        round_,
        targeting(round_, dialect_name(session)),
        purpose=purposes.ROUND,
        key=lambda person_id: announcement_key(round_, person_id),
        payload={"round_id": round_.id},
        now=now,
        batch=ANNOUNCE_BATCH,
    )


async def publish(session: AsyncSession, settings: Settings, round_: Round, now: datetime) -> int:
    """Open the round and queue its first batch at once (the rest in the background); returns its reach."""
    round_.state, round_.published_at, round_.announced_to, round_.announced_at = RoundState.OPEN, now, 0, None
    await live.queue_cards(session, round_, now)
    await announce(session, settings, round_, now)
    if round_.announced_at is None:  # more than a batch: the background goes on as soon as this commits
        wake_checks(session)
    return await audience_size(session, round_)


async def response_of(session: AsyncSession, round_: Round, person: Person) -> RoundResponse | None:
    return await session.scalar(
        select(RoundResponse).where(RoundResponse.round_id == round_.id, RoundResponse.person_id == person.id)
    )


async def respond(session: AsyncSession, round_: Round, person: Person, now: datetime) -> RoundResponse:
    """The person's response to the round, made on their first answer and locked for this turn, so
    two instances taking the same person's answer at once write one after the other."""
    mine = (
        select(RoundResponse)
        .where(RoundResponse.round_id == round_.id, RoundResponse.person_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    response = await session.scalar(mine)
    if response is not None:  # every answer after the first: one statement
        return response
    insert = postgresql_insert if dialect_name(session) == "postgresql" else sqlite_insert
    await session.execute(
        insert(RoundResponse)
        .values(
            round_id=round_.id,
            person_id=person.id,
            neighbourhood=person.neighbourhood,
            role=person.role,
            locale=person.locale,
            started_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["round_id", "person_id"])
    )
    response = await session.scalar(mine)
    assert response is not None, "made just above"
    return response


def rows_of(question: dict[str, Any], value: Any) -> list[tuple[int | None, str | None]]:
    """An answer as (option, text) rows: a choice per row, a point on the scale, or the text."""
    if value is None or value == "" or value == []:
        return []
    kind = question["kind"]
    if kind == Kind.OPEN:
        return [(None, str(value))]
    if kind == Kind.SCALE:
        return [(int(value), None)]
    chosen = value if isinstance(value, list) else [value]
    return [(OTHER if item == "other" else int(item), None) for item in chosen]


async def record(
    session: AsyncSession,
    round_: Round,
    response: RoundResponse,
    number: int,
    value: Any,
    now: datetime,
    other: str | None = None,
    *,
    first: bool = False,
) -> None:
    """Store (or replace) the answer to question `number` (from 0); None takes it back. `first`: the
    question was never answered by this response, so there is nothing to replace."""
    question = round_.questions[number]
    with session.no_autoflush:  # the turn's other changes go in the one flush below
        if not first:
            await session.execute(
                delete(RoundAnswer).where(RoundAnswer.response_id == response.id, RoundAnswer.question == number)
            )
        session.add_all(
            RoundAnswer(
                response_id=response.id,
                round_id=round_.id,
                question=number,
                option=option,
                text=other if option == OTHER else text,
                at=now,
            )
            for option, text in rows_of(question, value)
        )
        if round_.answered_at is None or (round_.drawn_at is not None and round_.answered_at <= round_.drawn_at):
            round_.answered_at = now  # the live card is due again; until it is redrawn, no answer writes the round
    await session.flush()


async def given(session: AsyncSession, round_: Round, response: RoundResponse) -> tuple[dict[int, Any], dict[int, str]]:
    """The person's answers so far per question, as the answering dialogue holds them, and the
    texts they wrote after "iets anders"."""
    values: dict[int, Any] = {}
    others: dict[int, str] = {}
    for row in await session.scalars(select(RoundAnswer).where(RoundAnswer.response_id == response.id)):
        kind = round_.questions[row.question]["kind"]
        if row.option == OTHER and row.text:
            others[row.question] = row.text
        if kind == Kind.OPEN:
            values[row.question] = row.text
        elif kind == Kind.MANY:
            values.setdefault(row.question, []).append("other" if row.option == OTHER else str(row.option))
        else:
            values[row.question] = "other" if row.option == OTHER else str(row.option)
    return values, others


async def reach(session: AsyncSession, round_: Round, now: datetime) -> dict[str, int]:
    """Where the round's announcements are (`handlers.common.reach`)."""
    return await announcements.reach(session, purposes.ROUND.name, f"round:{round_.id}:person:", now)


async def respondents(session: AsyncSession, round_: Round) -> int:
    """How many people answered at least one question (also after they were forgotten)."""
    return await session.scalar(select(func.count(RoundResponse.id)).where(RoundResponse.round_id == round_.id)) or 0


def close(round_: Round, now: datetime) -> None:
    """No more answers from now on."""
    round_.state, round_.closed_at, round_.updated_at = RoundState.CLOSED, now, now


def cancel(round_: Round, now: datetime) -> None:
    """A round that was not sent yet will not be; what was queued for it is no longer sent."""
    round_.state, round_.updated_at = RoundState.CANCELLED, now
