"""A person's answers to question rounds: what their export (/mijngegevens) holds, and what erasure
(/vergeet, or after a long silence) leaves: nothing of a round still open; of a closed round, their
choices in its counts, without them and without what they wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from handlers.common.domain import RoundState
from handlers.rounds import service
from handlers.rounds.questions import Kind
from storage.models import Person, Round, RoundAnswer, RoundResponse

OTHER_LABEL = N_("Iets anders")


async def _responses(session: AsyncSession, person: Person) -> list[Any]:
    return list(
        (
            await session.execute(
                select(RoundResponse, Round)
                .join(Round, Round.id == RoundResponse.round_id)
                .where(RoundResponse.person_id == person.id)
                .order_by(RoundResponse.started_at, RoundResponse.id)
            )
        ).all()
    )


def _answer(question: dict[str, Any], given: list[RoundAnswer], t: Translator) -> dict[str, Any]:
    """One answer as the person gave it: the option's words, the point on the scale, their text."""
    entry: dict[str, Any] = {"question": question["text"]}
    kind = question["kind"]
    if kind == Kind.OPEN:
        entry["answer"] = given[0].text
    elif kind == Kind.SCALE:
        entry["answer"] = given[0].option
    else:
        options = question.get("options") or []
        labels = [
            t(OTHER_LABEL) if row.option == service.OTHER else options[row.option]
            for row in given
            if row.option is not None and (row.option == service.OTHER or 0 <= row.option < len(options))
        ]
        entry["answer"] = labels if kind == Kind.MANY else (labels[0] if labels else None)
    other = next((row.text for row in given if row.option == service.OTHER and row.text), None)
    if other:
        entry["other"] = other
    return entry


async def answers_of_person(session: AsyncSession, person: Person, t: Translator) -> list[dict[str, Any]]:
    """The rounds the person answered, each with its questions and their answers, for the export."""
    found = []
    for response, round_ in await _responses(session, person):
        given: dict[int, list[RoundAnswer]] = {}
        for row in await session.scalars(
            select(RoundAnswer).where(RoundAnswer.response_id == response.id).order_by(RoundAnswer.id)
        ):
            given.setdefault(row.question, []).append(row)
        found.append(
            {
                "round": round_.title,
                "round_id": round_.id,
                "started_at": response.started_at.isoformat(),
                "completed_at": response.completed_at.isoformat() if response.completed_at else None,
                "answers": [
                    _answer(question, given[number], t)
                    for number, question in enumerate(round_.questions)
                    if given.get(number)
                ],
            }
        )
    return found


def _counted(round_: Round, now: datetime) -> bool:
    """Whether the round's counts are final: closed (or past its closing time), not cancelled."""
    return round_.state == RoundState.CLOSED or (round_.state == RoundState.OPEN and not service.is_open(round_, now))


async def forget_person(session: AsyncSession, person: Person, now: datetime) -> None:
    """Before the person is erased: their answers to a round still open go; in a closed round their
    choices stay in the counts, without them, and what they wrote themselves goes."""
    for response, round_ in await _responses(session, person):
        if not _counted(round_, now):
            await session.execute(delete(RoundAnswer).where(RoundAnswer.response_id == response.id))
            await session.delete(response)
            continue
        written = list(
            await session.scalars(
                select(RoundAnswer.id).where(RoundAnswer.response_id == response.id, RoundAnswer.option.is_(None))
            )
        )
        if written:
            await session.execute(delete(RoundAnswer).where(RoundAnswer.id.in_(written)))
            if set(written) & set(round_.picked or ()):
                round_.picked = [picked for picked in round_.picked if picked not in written]
        await session.execute(
            update(RoundAnswer)
            .where(RoundAnswer.response_id == response.id, RoundAnswer.option == service.OTHER)
            .values(text=None)
        )
        response.person_id = None
    await session.flush()
