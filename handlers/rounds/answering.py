"""Residents answer a round in the chat: its card, one question at a time ("Vraag 2 van 3"), typed or
tapped, skipped, stopped and continued later, and changed until the round closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.context import Context, Scope
from bot.dialogue import ChoiceStep, Flow, MultiStep, Option, TextStep
from bot.dialogue.flow import PREFILLED
from bot.dialogue.steps import Answer, Answers, Step
from bot.errors import Expired
from bot.i18n import N_, Translator
from bot.replies import Action, Button, Card, CardLine, Message, Reply
from bot.typed import plain, yes_or_no
from handlers.common.domain import RoundState
from handlers.common.pushing import PAUSE_HINT
from handlers.rounds import service
from handlers.rounds.questions import MAX_QUESTIONS, OPEN_LENGTH, OTHER_LENGTH, Kind
from storage.models import OutboxMessage, Round

MAX_LISTED = 3  # open rounds shown in "Wat loopt er?"
ROUND = "round"  # route of a round's buttons: Action.of(ROUND, "answer" | "no", round id)
ROUND_ID = "_round_id"
CLOSED = N_("Deze bevraging is gesloten. Bedankt om mee te denken!")
QUESTIONS = "_questions"  # the round's questions as the reader sees them, kept with the dialogue
KEPT = "_kept"  # the questions this dialogue has stored an answer to (nothing to replace before that)
# A scale typed in words, in each language.
NUMBER_WORDS = {
    **dict.fromkeys(("een", "one", "un", "une"), 1),
    **dict.fromkeys(("twee", "two", "deux"), 2),
    **dict.fromkeys(("drie", "three", "trois"), 3),
    **dict.fromkeys(("vier", "four", "quatre"), 4),
    **dict.fromkeys(("vijf", "five", "cinq"), 5),
}


def slot_name(index: int) -> str:
    return f"q{index + 1}"


def other_name(index: int) -> str:
    return f"q{index + 1}_other"


@dataclass(frozen=True, kw_only=True)
class Slot(Step):
    """Stands in for the round's question `index`; `resolve` makes it the step it is."""

    index: int


@dataclass(frozen=True, kw_only=True)
class OneChoice(ChoiceStep):
    """One option, tapped, typed by its label or its number, or "ja"/"nee" when those are the options."""

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> Any:
        if answer.kind == "text":
            typed = plain(answer.text)
            if typed.isdecimal() and 1 <= int(typed) <= len(self.options):
                return self.options[int(typed) - 1].value
            said = yes_or_no(answer.text)
            labels = [plain(t(option.label)) for option in self.options]
            if said is not None and len(labels) >= 2 and yes_or_no(labels[0]) and yes_or_no(labels[1]) is False:
                return self.options[0 if said else 1].value
        return super().read(answer, t, now, answers)


@dataclass(frozen=True, kw_only=True)
class Scale(OneChoice):
    """A point from 1 to 5: tapped, or typed as a digit or a word ("vier")."""

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> Any:
        if answer.kind == "text" and plain(answer.text) in NUMBER_WORDS:
            return str(NUMBER_WORDS[plain(answer.text)])
        return super().read(answer, t, now, answers)


def shown_question(t: Translator, question: dict[str, Any], number: int, total: int) -> dict[str, Any]:
    """One question as the reader will see it, kept with their dialogue."""
    prompt = t(N_("Vraag {number} van {total}"), number=number, total=total) + "\n" + question["text"]
    kind = question["kind"]
    options: list[tuple[str, str]] = []
    if kind in (Kind.ONE, Kind.MANY):
        options = [(str(i), label) for i, label in enumerate(question["options"])]
        if question.get("other"):
            options.append(("other", t(N_("Iets anders"))))
    elif kind == Kind.SCALE:
        low, high = question["ends"]
        options = [("1", f"1 · {low}"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", f"5 · {high}")]
    elif kind == Kind.OPEN:
        prompt += "\n" + t(N_("Schrijf je antwoord in maximaal {max} tekens."), max=OPEN_LENGTH)
    return {"kind": kind, "prompt": prompt, "label": question["text"], "options": options}


def resolve(step: Step, answers: Answers) -> Step:
    """A stand-in as the question it is in this round."""
    if not isinstance(step, Slot):
        return step
    shown = answers[QUESTIONS][step.index]
    common = {
        "name": step.name,
        "prompt": shown["prompt"],
        "label": shown["label"],
        "optional": True,
        "skipped": N_("(overgeslagen)"),
        "when": step.when,
        "on_answer": _saver(step.index),
    }
    options = tuple(Option(value, label) for value, label in shown["options"])
    kind = shown["kind"]
    if kind == Kind.MANY:
        return MultiStep(options=options, **common)
    if kind == Kind.SCALE:
        return Scale(options=options, **common)
    if kind == Kind.OPEN:
        return TextStep(min_length=1, max_length=OPEN_LENGTH, **common)
    return OneChoice(options=options, **common)


def _asks(index: int) -> Any:
    return lambda answers: index < len(answers.get(QUESTIONS) or ())


def _chose_other(index: int) -> Any:
    def chose(answers: Answers) -> bool:
        value = answers.get(slot_name(index))
        return value == "other" or (isinstance(value, list) and "other" in value)

    return chose


def _saver(index: int) -> Any:
    async def save(ctx: Context, value: Any) -> None:
        await _save(ctx, index, value)

    return save


async def _save(ctx: Context, index: int, value: Any, other: str | None = None) -> None:
    """Keep one answer as soon as it is given; a round that closed meanwhile ends the dialogue."""
    conversation = ctx.conversation
    assert conversation is not None
    round_ = await ctx.find(Round, conversation.answers.get(ROUND_ID))
    if round_ is None or not service.is_open(round_, ctx.now):
        await ctx.conversations.end(conversation)
        ctx.conversation = None
        ctx.say(ctx.t(CLOSED))
        return
    response = await service.respond(ctx.session, round_, ctx.known_person, ctx.now)
    if other is None:
        other = conversation.answers.get(other_name(index))
    kept = list(conversation.answers.get(KEPT) or ())
    await service.record(ctx.session, round_, response, index, value, ctx.now, other=other, first=index not in kept)
    conversation.answers = {**conversation.answers, KEPT: sorted({*kept, index})}


def _other_saver(index: int) -> Any:
    async def save(ctx: Context, value: Any) -> None:
        assert ctx.conversation is not None
        await _save(ctx, index, ctx.conversation.answers.get(slot_name(index)), other=value)

    return save


STEPS: list[Step] = []
for _index in range(MAX_QUESTIONS):
    STEPS.append(
        Slot(
            name=slot_name(_index),
            index=_index,
            prompt=N_("Wat is je antwoord?"),  # stands in: the round's own question is shown
            label=N_("Antwoord"),
            optional=True,
            when=_asks(_index),
        )
    )
    STEPS.append(
        TextStep(
            name=other_name(_index),
            label=N_("Iets anders"),
            prompt=N_("Wat bedoel je? Schrijf het kort."),
            min_length=1,
            max_length=OTHER_LENGTH,
            when=_chose_other(_index),
            on_answer=_other_saver(_index),
        )
    )


async def finish(ctx: Context, answers: Answers) -> None:
    """Confirmed: every answer as it stands now (skipped ones taken back), and thanks."""
    t = ctx.t
    round_ = await ctx.find(Round, answers.get(ROUND_ID))
    if round_ is None or not service.is_open(round_, ctx.now):
        ctx.say(t(CLOSED))
        return
    response = await service.respond(ctx.session, round_, ctx.known_person, ctx.now)
    for index in range(len(round_.questions)):
        await service.record(
            ctx.session, round_, response, index, answers.get(slot_name(index)), ctx.now, answers.get(other_name(index))
        )
    response.completed_at = response.completed_at or ctx.now
    ctx.say(
        t(
            N_(
                "Bedankt om mee te denken! Je kunt je antwoorden nog aanpassen tot {closes}. "
                "Daarna hoor je wat we ermee doen."
            ),
            closes=t.datetime(round_.closes_at),
        )
    )


ANSWER_FLOW = Flow(
    name="round_answer",
    steps=STEPS,
    on_done=finish,
    resolve=resolve,
    kept=True,
    summary_title=N_("Dit zijn je antwoorden:"),
    cancelled=N_("Oké, we stoppen hier. Wat je al antwoordde, is bewaard. Verder doen kan via /agenda."),
)


def round_button(label: str, verb: str, round_: Round) -> Button:
    return Button(label, Action.of(ROUND, verb, round_.id))


async def card(ctx: Scope, round_: Round, *, push: bool = False) -> Card:
    """The round as a resident sees it: why it is asked, how many questions, until when."""
    t = ctx.t
    count = len(round_.questions)
    lines = (
        CardLine(round_.why, t(N_("Waarom"))),
        CardLine(
            t(N_("{n} vragen, een paar minuten."), n=count) if count > 1 else t(N_("Eén vraag, een minuutje.")),
            icon="❓",
        ),
        CardLine(t(N_("Antwoorden kan tot {closes}."), closes=t.datetime(round_.closes_at)), icon="🗓"),
    )
    answered = await service.response_of(ctx.session, round_, ctx.known_person) if ctx.person else None
    start = t(N_("Antwoorden aanpassen")) if answered and answered.completed_at else t(N_("Meedenken"))
    buttons = (
        Button(start, Action.of(ROUND, "answer", round_.id), style="primary"),
        round_button(t(N_("Niet nu")), "no", round_),
    )
    return Card(round_.title, lines, buttons, icon="💭", footer=t(PAUSE_HINT) if push else "")


async def open_rounds(ctx: Context) -> list[Reply]:
    """For "Wat loopt er?": the open rounds meant for the person, the soonest to close first."""
    found = await ctx.session.scalars(
        select(Round).where(Round.state == RoundState.OPEN, Round.closes_at > ctx.now).order_by(Round.closes_at)
    )
    mine = [round_ for round_ in found if service.fits(round_, ctx.known_person)][:MAX_LISTED]
    if not mine:
        return []
    return [Message(ctx.t(N_("Hierover kun je meedenken:"))), *[await card(ctx, round_) for round_ in mine]]


async def announce(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The push of a round to one person, unless it closed or they answered meanwhile."""
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None or not service.is_open(round_, ctx.now):
        return []
    if await service.response_of(ctx.session, round_, ctx.known_person) is not None:
        return []
    return [await card(ctx, round_, push=True)]


async def start_answering(ctx: Context, round_: Round) -> None:
    """Begin (or continue, or change) the person's answers: at the first question not answered
    yet, or at the summary once all are."""
    t = ctx.t
    total = len(round_.questions)
    answers: Answers = {
        ROUND_ID: round_.id,
        QUESTIONS: [shown_question(t, question, n, total) for n, question in enumerate(round_.questions, start=1)],
    }
    response = await service.response_of(ctx.session, round_, ctx.known_person)
    values: dict[int, Any] = {}
    if response is not None:
        values, others = await service.given(ctx.session, round_, response)
        answers |= {slot_name(index): value for index, value in values.items()}
        answers |= {other_name(index): text for index, text in others.items()}
        answers[PREFILLED] = [name for name in answers if not name.startswith("_")]
        answers[KEPT] = sorted(values)
    complete = response is not None and (response.completed_at is not None or len(values) == total)
    await ctx.dialogue.start(ctx, ANSWER_FLOW, answers, at_summary=complete)


async def on_round_button(ctx: Context, tapped: Action) -> None:
    """ "Meedenken" or "Niet nu" on a round's card; a round that is not for this person is refused."""
    t = ctx.t
    round_ = await ctx.find(Round, tapped.id)
    if (
        round_ is None
        or tapped.verb not in ("answer", "no")
        or round_.state not in (RoundState.OPEN, RoundState.CLOSED)
        or not service.fits(round_, ctx.known_person)
    ):
        raise Expired()
    if not service.is_open(round_, ctx.now):
        ctx.say(t(CLOSED))
    elif tapped.verb == "answer":
        await start_answering(ctx, round_)
    else:
        ctx.say(t(N_("Oké. Wil je later toch meedenken? Je vindt de vraag bij /agenda.")))
