"""A flow: a dialogue as a value (its steps, what is done with the answers) and its rules over all answers.

`Flow.validate` runs every step's check over a set of answers, so the chat, a form (a Slack
modal) and the command line keep one set of rules; `as_form` and `read_form` ask and read
a whole flow at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.dialogue.steps import Answers, Invalid, Step, empty
from bot.i18n import N_, Translator
from bot.replies import Action, Form

if TYPE_CHECKING:
    from bot.context import Context

PREFILLED = "_prefilled"  # answers given before the flow began (a free text that became the idea): not asked
FORM = "form"  # the route of a submitted form; its verb is the flow's name
REQUIRED = N_("Deze vraag moet je nog beantwoorden.")


@dataclass(frozen=True)
class Flow:
    """A dialogue: its steps, and what happens with the answers once confirmed.

    With `confirm`, a summary ("klopt dit?") comes before `on_done`; without it the
    answers are used as soon as the last step is answered (for one-question flows).
    `form` lets a channel with forms (a Slack modal) ask every step at once; `role`, when
    set, is the role a person needs to submit it.
    """

    name: str
    steps: Sequence[Step]
    on_done: Callable[[Context, Answers], Awaitable[None]]
    confirm: bool = True
    summary_title: str = N_("Dit heb je ingevuld:")
    cancelled: str = N_("Oké, ik stop hiermee. Er is niets bewaard.")
    # Optional extra lines above "Klopt dit?", worked out from the answers (e.g. an audience size).
    describe: Callable[[Context, Answers], Awaitable[str]] | None = None
    # Checks across answers (an end after the start...): None, or (msgid, step to ask again).
    check: Callable[[Answers], tuple[str, str] | None] | None = None
    # Checks of a whole form's fields as sent, before the steps that do not apply are left out: a
    # field filled that the other fields leave unused, which a chat that asks in turn never has.
    check_fields: Callable[[Mapping[str, Any]], dict[str, Invalid]] | None = None
    form: bool = False
    role: str | None = None
    # Steps whose question comes with the answers (a question round's own questions): `resolve`
    # turns such a stand-in into the step it is for these answers, under the same name.
    resolve: Callable[[Step, Answers], Step] | None = None
    # Every answer is kept as it is given (a round's answers): stopping loses nothing, so is not asked.
    kept: bool = False
    steps_by_name: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps_by_name", {step.name: step for step in self.steps})

    def step(self, name: str, answers: Answers) -> Step:
        """The step by this name, as it stands for these answers."""
        step = self.steps_by_name[name]
        return self.resolve(step, answers) if self.resolve else step

    def applicable(self, answers: Answers) -> list[Step]:
        return [self.step(step.name, answers) for step in self.steps if step.applies(answers)]

    def asked(self, answers: Answers) -> list[Step]:
        """The steps asked one after the other (the others wait at the summary)."""
        return [step for step in self.applicable(answers) if step.asked]

    def after(self, name: str, answers: Answers) -> Step | None:
        steps = self.asked(answers)
        names = [step.name for step in steps]
        index = names.index(name) + 1 if name in names else 0
        return steps[index] if index < len(steps) else None

    def before(self, name: str | None, answers: Answers) -> Step | None:
        """The step asked before `name`; before the summary (None), the last one asked."""
        steps = self.asked(answers)
        if name is None:
            return steps[-1] if steps else None
        names = [step.name for step in steps]
        index = names.index(name) - 1 if name in names else -1
        return steps[index] if index >= 0 else None

    def validate(self, answers: Answers, now: datetime) -> dict[str, Invalid]:
        """The problems per step of a whole set of answers: required steps, each step's
        rules, then the flow's check across answers. Empty when the answers may be used."""
        problems: dict[str, Invalid] = {}
        for step in self.applicable(answers):
            value = answers.get(step.name)
            if value is None or value == "":
                if not step.optional:
                    problems[step.name] = Invalid(REQUIRED)
                continue
            try:
                step.check(value, answers, now)
            except Invalid as problem:
                problems[step.name] = problem
        found = self.check(answers) if self.check and not problems else None
        if found is not None:
            problems[found[1]] = Invalid(found[0])
        return problems

    def read_form(self, values: Mapping[str, Any], now: datetime) -> tuple[Answers, dict[str, Invalid]]:
        """A submitted form as answers, and what is wrong with them (per field)."""
        answers: Answers = {name: value for name, value in values.items() if name.startswith("_")}
        problems: dict[str, Invalid] = {}
        for step in self.steps:
            raw = values.get(step.name)
            if empty(raw):
                continue
            try:
                answers[step.name] = step.coerce(raw, now)
            except Invalid as problem:
                problems[step.name] = problem
        answers = {
            name: value
            for name, value in answers.items()
            if name not in self.steps_by_name or self.steps_by_name[name].applies(answers)
        }
        unused = self.check_fields(values) if self.check_fields else {}
        return answers, {**self.validate(answers, now), **unused, **problems}

    def as_form(self, t: Translator, answers: Answers | None = None) -> Form:
        """Every step as one form, filled with `answers`; a conditional step is optional there."""
        answers = answers or {}
        fields = tuple(
            step.field(t, answers.get(step.name), optional=step.optional or step.when is not None)
            for step in self.steps
        )
        hidden = {name: value for name, value in answers.items() if name.startswith("_")}
        return Form(t(self.summary_title), fields, Action.of(FORM, self.name), t(N_("Klopt")), hidden=hidden)
