"""A round's results: the answers counted in SQL, the impact report's small-group rule on the counts,
similar open answers grouped, and the lines that show them in any language.

A count under 5 is never shown ("< 5"). Where the counts of a question are the parts of its
shown total (one choice, a scale: one answer per person), the smallest shown parts are hidden
too ("–") until at least two are hidden and together 5 or more, so the total minus the others
gives no small group away; several choices are not parts of one total and only hide their small
counts. Fewer than 5 respondents show nothing but "< 5", and so does a question fewer than 5
answered. Who answered what never leaves the database: only counts and the texts themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from bot.typed import plain
from handlers.common.domain import HIDDEN, SMALL, UNDER, small_count
from handlers.rounds.questions import CHOICES, Kind
from storage.models import Round, RoundAnswer, RoundResponse

# The impact report's rule (handlers/impact/figures.py; tests/unit/test_round_figures.py keeps them equal).
OTHER = -1  # the option number of "iets anders"
TEXTS_READ = 300  # the newest open answers read per question: enough to read, cheap at 100,000 answers
WORDS = 4  # the shortest word that makes two answers alike (as the search for similar ideas)
SMALL_PRINT = N_(
    "“< 5”: minder dan 5 mensen. “verborgen”: niet getoond, zodat je een kleine groep niet kunt uitrekenen."
)

Shown = int | str  # a count as it may be shown: the number, UNDER or HIDDEN


@dataclass(frozen=True)
class Tally:
    """A round's counts as read from the database, before any rule: the respondents (people with
    at least one answer), per question how many answered it, per question and option how many
    chose it (1–5 for a scale, -1 for "iets anders"), and the texts of open answers and of
    "iets anders"."""

    respondents: int
    answered: Mapping[int, int]
    counts: Mapping[int, Mapping[int, int]]
    texts: Mapping[int, Sequence[str]]


@dataclass(frozen=True)
class QuestionFigures:
    index: int  # from 0
    answered: Shown
    options: dict[int, Shown]  # every option in the question's order ("iets anders" last); empty when hidden
    texts: tuple[tuple[str, Shown], ...]  # grouped open answers: a text and how many wrote alike


@dataclass(frozen=True)
class Figures:
    """A round's results as they may be shown."""

    respondents: Shown
    questions: tuple[QuestionFigures, ...]

    @property
    def hides(self) -> bool:
        """Whether a count is hidden somewhere (so the reader needs the small print)."""
        values = [self.respondents] + [v for q in self.questions for v in (q.answered, *q.options.values())]
        return any(value in (UNDER, HIDDEN) for value in values)


def count(value: int) -> Shown:
    """One count as it may be shown."""
    return small_count(value)


def hide(counts: Mapping[int, int], *, parts: bool) -> dict[int, Shown]:
    """Counts as they may be shown: each under SMALL (but not 0) as UNDER; when they are the parts
    of a total that is shown, the smallest shown ones as HIDDEN too, until at least two are hidden
    and together SMALL or more (as the impact report's `Table.complement`)."""
    shown: dict[int, Shown] = {key: count(value) for key, value in counts.items()}
    if parts:
        secret = [value for value in counts.values() if 0 < value < SMALL]
        others = sorted((key for key, value in counts.items() if value >= SMALL), key=lambda key: counts[key])
        while secret and others and (len(secret) < 2 or sum(secret) < SMALL):
            key = others.pop(0)
            secret.append(counts[key])
            shown[key] = HIDDEN
    return shown


def option_numbers(question: Mapping[str, Any]) -> list[int]:
    """The options of a question as stored: 0.. for choices ("iets anders" -1, last), 1–5 for a scale."""
    if question["kind"] == Kind.SCALE:
        return [1, 2, 3, 4, 5]
    if question["kind"] in CHOICES:
        return list(range(len(question["options"]))) + ([OTHER] if question.get("other") else [])
    return []


def figures_of(questions: Sequence[Mapping[str, Any]], tally: Tally) -> Figures:
    """The small-group rule on a round's counts."""
    if tally.respondents < SMALL:
        return Figures(count(tally.respondents), ())
    shown = []
    for index, question in enumerate(questions):
        answered = tally.answered.get(index, 0)
        if answered < SMALL:
            shown.append(QuestionFigures(index, count(answered), {}, ()))
            continue
        chosen = tally.counts.get(index, {})
        counts = {option: chosen.get(option, 0) for option in option_numbers(question)}
        groups = grouped(tally.texts.get(index, ()))
        sizes = hide(dict(enumerate(size for _, size in groups)), parts=False)
        shown.append(
            QuestionFigures(
                index,
                answered,
                hide(counts, parts=question["kind"] != Kind.MANY),
                tuple((text, sizes[n]) for n, (text, _) in enumerate(groups)),
            )
        )
    return Figures(tally.respondents, tuple(shown))


def _words(text: str) -> frozenset[str]:
    """What makes answers alike: their longer words without case or accents, or else the whole
    answer ("ja", "ok")."""
    said = plain(text)
    return frozenset(word for word in said.split() if len(word) >= WORDS) or frozenset({said})


def grouped(texts: Sequence[str]) -> list[tuple[str, int]]:
    """Similar answers together: one joins the first group with which it shares more than half of
    its words (counted over both); each group is shown by its first answer, the biggest group first.
    (The search for similar ideas runs on a full-text index of ideas that answers do not have.)"""
    groups: list[tuple[frozenset[str], str, list[str]]] = []
    for text in texts:
        words = _words(text)
        if not words - {""}:
            continue
        for key, _first, members in groups:
            if len(key & words) * 2 > len(key | words):
                members.append(text)
                break
        else:
            groups.append((words, text, [text]))
    order = sorted(range(len(groups)), key=lambda n: (-len(groups[n][2]), n))
    return [(groups[n][1], len(groups[n][2])) for n in order]


async def tally(session: AsyncSession, round_: Round) -> Tally:
    """Count a round's answers: the respondents, one grouped query per question and option (on the
    index `ix_round_answer_counts`), and the newest texts. A question of one choice, a scale or an
    open answer has one row per person, so its options add up to how many answered it; only
    several choices count people apart."""
    where = RoundAnswer.round_id == round_.id
    respondents = (
        await session.scalar(
            select(func.count())
            .select_from(RoundResponse)
            .where(RoundResponse.round_id == round_.id, exists().where(RoundAnswer.response_id == RoundResponse.id))
        )
        or 0
    )
    counts: dict[int, dict[int, int]] = {}
    answered: dict[int, int] = {}
    for question, option, number in await session.execute(
        select(RoundAnswer.question, RoundAnswer.option, func.count())
        .where(where)
        .group_by(RoundAnswer.question, RoundAnswer.option)
    ):
        answered[question] = answered.get(question, 0) + number
        if option is not None:
            counts.setdefault(question, {})[option] = number
    texts: dict[int, list[str]] = {}
    for index, question in enumerate(round_.questions):
        if question["kind"] == Kind.MANY:
            answered[index] = (
                await session.scalar(
                    select(func.count(distinct(RoundAnswer.response_id))).where(where, RoundAnswer.question == index)
                )
                or 0
            )
        if question["kind"] == Kind.OPEN or question.get("other"):
            # The option in the condition lets the index give the newest rows first (SQLite).
            written = RoundAnswer.option.is_(None) if question["kind"] == Kind.OPEN else RoundAnswer.option == OTHER
            texts[index] = list(
                await session.scalars(
                    select(RoundAnswer.text)
                    .where(where, RoundAnswer.question == index, written, RoundAnswer.text.is_not(None))
                    .order_by(RoundAnswer.id.desc())
                    .limit(TEXTS_READ)
                )
            )
    return Tally(respondents, answered, counts, texts)


async def gather(session: AsyncSession, round_: Round) -> Figures:
    """A round's results as they may be shown."""
    return figures_of(round_.questions, await tally(session, round_))


def option_label(t: Translator, question: Mapping[str, Any], option: int) -> str:
    if option == OTHER:
        return t(N_("Iets anders"))
    if question["kind"] == Kind.SCALE:
        low, high = question["ends"]
        return {1: f"1 · {low}", 5: f"5 · {high}"}.get(option, str(option))
    return question["options"][option]


def counted(t: Translator, question: Mapping[str, Any], shown: QuestionFigures) -> str:
    """One question's counts, a line per option ("Ja: 12"); only how many answered when the
    question's options are hidden or it has none (an open question)."""
    if not shown.options:
        return t(N_("Antwoorden: {n}"), n=shown.answered)
    return "\n".join(
        t.labelled(option_label(t, question, option), number(t, value)) for option, value in shown.options.items()
    )


def number(t: Translator, value: Shown) -> str:
    """A count as the reader sees it: the number, "< 5", or the word for a hidden one."""
    return t(HIDDEN) if value == HIDDEN else str(value)


def listed(t: Translator, shown: QuestionFigures, room: int) -> str:
    """A question's grouped open answers, one a line, within `room` characters; a group of at
    least SMALL says how many wrote alike."""
    lines: list[str] = []
    used = 0
    for text, size in shown.texts:
        many = isinstance(size, int) and size >= SMALL
        line = f"• {text}" + (" (" + t(N_("{n} keer"), n=size) + ")" if many else "")
        if used + len(line) + 1 > room:
            lines.append("• …")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)
