"""What others see of question rounds: the closed rounds with their counts, what was done with the
answers and the open answers the owner picked (for the public page, which applies the small-group
rule), and how many people a project's rounds reached (for its card and its news)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from handlers.common.domain import RoundState
from handlers.rounds import service
from handlers.rounds.answering import shown_question
from handlers.rounds.questions import Kind
from storage.models import Round, RoundAnswer, RoundResponse

SENT = (RoundState.OPEN, RoundState.CLOSED)


@dataclass(frozen=True)
class Counted:
    """How many chose one option (or one point on the scale): raw, the reader applies the rule."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class PublicQuestion:
    text: str
    kind: str
    counts: tuple[Counted, ...]  # in the order the residents saw the options; none for an open question
    picked: tuple[str, ...]  # the open answers the owner chose to show


@dataclass(frozen=True)
class PublicRound:
    """A closed round as the public may see it, before the small-group rule."""

    id: int
    title: str
    why: str
    outcome: str | None
    closed_at: datetime | None
    respondents: int
    questions: tuple[PublicQuestion, ...]


def _stored(value: str) -> int:
    """The option number stored for an option as the answering dialogue names it."""
    return service.OTHER if value == "other" else int(value)


async def public_rounds(session: AsyncSession, t: Translator, limit: int = 6) -> list[PublicRound]:
    """The newest rounds that closed (or whose owner wrote what they do with the answers)."""
    found = list(
        await session.scalars(
            select(Round)
            .where(
                or_(
                    Round.state == RoundState.CLOSED,
                    Round.outcome.is_not(None) & Round.state.in_(SENT),
                )
            )
            .order_by(Round.closes_at.desc(), Round.id.desc())
            .limit(limit)
        )
    )
    return [await _public(session, t, round_) for round_ in found]


async def _public(session: AsyncSession, t: Translator, round_: Round) -> PublicRound:
    respondents = await session.scalar(select(func.count(RoundResponse.id)).where(RoundResponse.round_id == round_.id))
    counts = {
        (question, option): count
        for question, option, count in await session.execute(
            select(RoundAnswer.question, RoundAnswer.option, func.count(RoundAnswer.id))
            .where(RoundAnswer.round_id == round_.id, RoundAnswer.option.is_not(None))
            .group_by(RoundAnswer.question, RoundAnswer.option)
        )
    }
    picked: dict[int, list[str]] = {}
    if round_.picked:
        for row in await session.scalars(
            select(RoundAnswer)
            .where(
                RoundAnswer.round_id == round_.id,
                RoundAnswer.id.in_(round_.picked),
                RoundAnswer.option.is_(None),
                RoundAnswer.text.is_not(None),
            )
            .order_by(RoundAnswer.id)
        ):
            picked.setdefault(row.question, []).append(row.text or "")
    total = len(round_.questions)
    questions = []
    for number, question in enumerate(round_.questions):
        shown = shown_question(t, question, number + 1, total)
        questions.append(
            PublicQuestion(
                text=question["text"],
                kind=question["kind"],
                counts=tuple(
                    Counted(value, label, counts.get((number, _stored(value)), 0)) for value, label in shown["options"]
                )
                if question["kind"] != Kind.OPEN
                else (),
                picked=tuple(picked.get(number, ())),
            )
        )
    return PublicRound(
        id=round_.id,
        title=round_.title,
        why=round_.why,
        outcome=round_.outcome,
        closed_at=round_.closed_at,
        respondents=respondents or 0,
        questions=tuple(questions),
    )


async def project_reach(session: AsyncSession, project_id: int) -> tuple[int, int]:
    """A project's rounds that went out, and how many people answered them (each person once;
    someone erased counts once per answer kept)."""
    sent = select(Round.id).where(Round.project_id == project_id, Round.state.in_(SENT))
    rounds = await session.scalar(select(func.count()).select_from(sent.subquery())) or 0
    if not rounds:
        return 0, 0
    answered = RoundResponse.round_id.in_(sent)
    people = await session.scalar(select(func.count(func.distinct(RoundResponse.person_id))).where(answered))
    erased = await session.scalar(
        select(func.count(RoundResponse.id)).where(answered, RoundResponse.person_id.is_(None))
    )
    return rounds, (people or 0) + (erased or 0)
