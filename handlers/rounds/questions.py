"""The questions of a round: their kinds, how an owner writes them (the same steps in the chat, the
Slack modal and the command line), and how they are stored."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.dialogue import ChoiceStep, Option, TextStep
from bot.dialogue.steps import Answers, Invalid, Step, empty
from bot.i18n import N_
from bot.typed import plain

MAX_QUESTIONS = 5
MIN_OPTIONS, MAX_OPTIONS = 2, 8
OPTION_LENGTH = 60
OPEN_LENGTH = 500  # what a resident may type as an open answer
OTHER_LENGTH = 100  # what they may type after "iets anders"
# "Iets anders" at the end of the options lets people write their own answer.
OTHER_WORDS = frozenset({"iets anders", "anders", "something else", "other", "autre chose", "autre"})
ITEM_SEPARATORS = re.compile(r"\s*(?:\n|;|,)\s*")


class Kind(StrEnum):
    ONE = "one"  # one choice
    MANY = "many"  # several choices
    SCALE = "scale"  # 1 to 5, with words at both ends
    OPEN = "open"  # a short open answer


KINDS = (
    Option(Kind.ONE, N_("Eén keuze")),
    Option(Kind.MANY, N_("Meerdere keuzes")),
    Option(Kind.SCALE, N_("Een schaal van 1 tot 5")),
    Option(Kind.OPEN, N_("Een kort antwoord")),
)
CHOICES = (Kind.ONE, Kind.MANY)
# The labels of each question's steps (kind, text, options, ends), one msgid each so they translate.
LABELS = {
    1: (N_("Vraag 1: soort"), N_("Vraag 1"), N_("Vraag 1: keuzes"), N_("Vraag 1: woorden bij 1 en 5")),
    2: (N_("Vraag 2: soort"), N_("Vraag 2"), N_("Vraag 2: keuzes"), N_("Vraag 2: woorden bij 1 en 5")),
    3: (N_("Vraag 3: soort"), N_("Vraag 3"), N_("Vraag 3: keuzes"), N_("Vraag 3: woorden bij 1 en 5")),
    4: (N_("Vraag 4: soort"), N_("Vraag 4"), N_("Vraag 4: keuzes"), N_("Vraag 4: woorden bij 1 en 5")),
    5: (N_("Vraag 5: soort"), N_("Vraag 5"), N_("Vraag 5: keuzes"), N_("Vraag 5: woorden bij 1 en 5")),
}


def items(text: str) -> list[str]:
    """The options an owner wrote: one per line, or separated by commas or semicolons."""
    return [item for item in ITEM_SEPARATORS.split(text.strip()) if item]


def split_other(options: list[str]) -> tuple[list[str], bool]:
    """The options without a closing "iets anders", and whether it was there."""
    if options and plain(options[-1]) in OTHER_WORDS:
        return options[:-1], True
    return options, False


@dataclass(frozen=True, kw_only=True)
class OptionsStep(TextStep):
    """The options of a choice question: 2 to 8, each short and different, maybe "iets anders" last."""

    max_length: int = 600

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        super().check(value, answers, now)
        options, _ = split_other(items(value))
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise Invalid(
                N_("Geef {min} tot {max} keuzes, gescheiden door komma's. Nu zijn het er {count}."),
                min=MIN_OPTIONS,
                max=MAX_OPTIONS,
                count=len(options),
                echo=value,
            )
        if any(len(option) > OPTION_LENGTH for option in options):
            raise Invalid(N_("Houd elke keuze korter dan {max} tekens."), max=OPTION_LENGTH, echo=value)
        if len({plain(option) for option in options}) < len(options):
            raise Invalid(N_("Twee keuzes zijn dezelfde. Maak ze verschillend."), echo=value)


@dataclass(frozen=True, kw_only=True)
class EndsStep(TextStep):
    """The words at both ends of a scale, "helemaal niet, helemaal wel"."""

    max_length: int = 120

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        super().check(value, answers, now)
        ends = items(value)
        if len(ends) != 2 or any(len(end) > OPTION_LENGTH for end in ends):
            raise Invalid(N_("Schrijf twee woorden of korte zinnen, gescheiden door een komma."), echo=value)


def _asked(number: int) -> Any:
    """Whether question `number` is part of the round: the first always, a later one once the
    one before it has a kind."""
    return None if number == 1 else (lambda answers: bool(answers.get(f"q{number - 1}_kind")))


def _kind_is(number: int, *kinds: str) -> Any:
    return lambda answers: answers.get(f"q{number}_kind") in kinds


def question_steps(number: int) -> list[Step]:
    """The steps that write question `number`: its kind, its text, and its options or ends."""
    kind_label, text_label, options_label, ends_label = LABELS[number]
    return [
        ChoiceStep(
            name=f"q{number}_kind",
            label=kind_label,
            options=KINDS,
            optional=number > 1,
            skipped=N_("geen vraag meer"),
            when=_asked(number),
            prompt=N_("Welke soort vraag is het?")
            if number == 1
            else N_("Nog een vraag? Kies de soort, of sla over als dit genoeg is."),
        ),
        TextStep(
            name=f"q{number}_text",
            label=text_label,
            max_length=200,
            when=_kind_is(number, *Kind),
            prompt=N_("Wat is de vraag? Kort en duidelijk."),
        ),
        OptionsStep(
            name=f"q{number}_options",
            label=options_label,
            when=_kind_is(number, *CHOICES),
            prompt=N_(
                "Schrijf de keuzes, gescheiden door komma's (2 tot 8). Mogen mensen ook zelf iets schrijven? "
                "Zet dan “iets anders” als laatste."
            ),
        ),
        EndsStep(
            name=f"q{number}_ends",
            label=ends_label,
            when=_kind_is(number, Kind.SCALE),
            prompt=N_("Welke woorden staan bij 1 en bij 5? Bijvoorbeeld: helemaal niet, helemaal wel"),
        ),
    ]


def unused_questions(values: Mapping[str, Any]) -> dict[str, Invalid]:
    """A form's questions that would be left out unseen: one written without its kind, or one after
    a question left empty (the chat asks them in turn, so there they cannot happen)."""
    problems: dict[str, Invalid] = {}
    for number in range(1, MAX_QUESTIONS + 1):
        kind = f"q{number}_kind"
        written = any(not empty(values.get(f"q{number}_{part}")) for part in ("text", "options", "ends"))
        if empty(values.get(kind)) and written:
            problems[kind] = Invalid(N_("Kies welke soort vraag dit is, of maak de vraag leeg."))
        before = f"q{number - 1}_kind"
        if number > 1 and not empty(values.get(kind)) and empty(values.get(before)) and before not in problems:
            problems[before] = Invalid(N_("Vul de vragen in volgorde in: deze vraag is nog leeg."))
    return problems


def questions_of(answers: Answers) -> list[dict[str, Any]]:
    """The questions as stored with the round, from the owner's answers."""
    found = []
    for number in range(1, MAX_QUESTIONS + 1):
        kind = answers.get(f"q{number}_kind")
        if not kind:
            break
        question: dict[str, Any] = {"kind": kind, "text": answers[f"q{number}_text"]}
        if kind in CHOICES:
            question["options"], question["other"] = split_other(items(answers[f"q{number}_options"]))
        elif kind == Kind.SCALE:
            question["ends"] = items(answers[f"q{number}_ends"])
        found.append(question)
    return found


def answers_of(questions: list[dict[str, Any]]) -> Answers:
    """The owner's answers that write these questions (to change a round)."""
    answers: Answers = {}
    for number, question in enumerate(questions, start=1):
        answers[f"q{number}_kind"] = question["kind"]
        answers[f"q{number}_text"] = question["text"]
        if question["kind"] in CHOICES:
            answers[f"q{number}_options"] = ", ".join(
                question["options"] + (["iets anders"] if question.get("other") else [])
            )
        elif question["kind"] == Kind.SCALE:
            answers[f"q{number}_ends"] = ", ".join(question["ends"])
    return answers
