"""The channel-neutral dialogue engine: flows made of steps, with their state in the database.

A flow is a value: a list of steps (free text, choice, multi-choice, number, date, photo)
and what to do with the answers. Each step *reads* a chat answer into a value and
*checks* a value against the answers so far and the clock; `Flow.validate` runs the same
checks over a whole set of answers, so a form, the command line and the chat keep one
set of rules. The engine asks one step at a time, re-asks with a friendly hint on bad
input without losing anything, goes back, skips optional steps, shows a summary to
confirm or edit before anything is saved, and keeps every answer in the `conversation`
row so a restart continues at the same step.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from bot.dates import parse_amount, parse_date, parse_moment
from bot.i18n import N_, Translator
from bot.replies import Action, Button, FieldErrors, Form, FormField, Question
from bot.surfaces import ASKED_WITH_HINT, Surface
from bot.surfaces import FORM as FORM_SURFACE
from bot.typed import DONT_KNOW, plain, same, yes_or_no

if TYPE_CHECKING:
    from bot.context import Context
    from bot.events import Inbound
    from storage.models import Conversation

LIST_SEPARATORS = re.compile(r"\s*[,;+]\s*")  # "erfgoed, sport"
LAST_SEPARATOR = re.compile(r"\s+(?:en|and|et)\s+", re.IGNORECASE)  # "erfgoed en sport" (unless a label says it)
ROUTE = "dlg"  # the route of every dialogue button; its first argument is the render token
SUMMARY = "_summary"
EDIT = "_edit"
PREFILLED = "_prefilled"  # answers given before the flow began (a free text that became the idea): not asked
FORM = "form"  # the route of a submitted form; its verb is the flow's name
TODAY = "today"  # the value of a date step's "Vanaf nu" button
REQUIRED = N_("Deze vraag moet je nog beantwoorden.")

Answers = dict[str, Any]


class Invalid(Exception):
    """An answer that does not fit the step; `message` (a msgid) says what is wrong.

    When the answer is not of the `expected` kind at all (no number, no date...), the
    channel's surface says what to give, in its own words. Values that are dates or
    moments are written in the reader's language when shown."""

    def __init__(self, message: str = "", *, expected: str | None = None, **values: object) -> None:
        super().__init__(message or expected)
        self.message = message
        self.expected = expected
        self.values = values

    def text(self, t: Translator, surface: Surface = FORM_SURFACE) -> str:
        message = (surface.hint(self.expected) or "") if self.expected else self.message
        shown = {}
        for key, value in self.values.items():
            if isinstance(value, datetime):
                value = t.datetime(value)
            elif isinstance(value, date):
                value = t.date(value)
            shown[key] = value
        shown.pop("echo", None)
        return t(message, **shown)


@dataclass(frozen=True)
class Answer:
    """One chat answer to a step: typed `text`, a tapped option `value`, or a `photo`."""

    kind: str  # "text", "tap", "photo" or "other"
    text: str = ""
    value: str | None = None
    photo: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice: a short stable `value` and a `label` msgid."""

    value: str
    label: str


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@dataclass(frozen=True, kw_only=True)
class Step:
    """One question. `prompt` and `label` are msgids, translated when shown.

    `now` is always the local, timezone-aware moment (its zone is the city's).
    """

    name: str
    prompt: str
    label: str
    optional: bool = False
    skipped: str = N_("(overgeslagen)")  # what an optional step left empty means, in the summary
    when: Callable[[Answers], bool] | None = None
    on_answer: Callable[[Context, Any], Awaitable[None]] | None = None
    # False: not asked in turn; shown in the summary (its default) and changed from there, or in a form.
    asked: bool = True
    kind = "text"

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        return []

    def hint_values(self, now: datetime) -> dict[str, object]:
        """What the hint for this kind of answer fills in (limits, an example date)."""
        return {}

    def expectation(self, now: datetime) -> Invalid:
        """What this step expects, as the re-ask for an answer that does not fit."""
        return Invalid(expected=self.kind, **self.hint_values(now))

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> Any:
        """The value of a chat answer (a tap, a typed date...); Invalid when it cannot be read."""
        raise NotImplementedError

    def coerce(self, raw: Any, now: datetime) -> Any:
        """The value of a form field as a channel hands it over (text, a number, a list)."""
        return raw

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        """Raise Invalid when the value breaks one of this step's rules."""

    def show(self, value: Any, t: Translator) -> str:
        return str(value)

    def limits(self) -> tuple[int | None, int | None]:
        return None, None

    def options_for(self, t: Translator) -> tuple[tuple[str, str], ...]:
        return ()

    def field(self, t: Translator, value: Any = None, optional: bool | None = None) -> FormField:
        """This step as a form field (or as the question a chat asks)."""
        low, high = self.limits()
        return FormField(
            name=self.name,
            label=t(self.label),
            kind=self.kind,
            prompt=t(self.prompt),
            options=self.options_for(t),
            optional=self.optional if optional is None else optional,
            value=value,
            minimum=low,
            maximum=high,
        )


@dataclass(frozen=True, kw_only=True)
class TextStep(Step):
    """Free text between `min_length` and `max_length` characters."""

    min_length: int = 2
    max_length: int = 1000

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        if answer.kind != "text":
            raise self.expectation(now)
        return answer.text.strip()

    def coerce(self, raw: Any, now: datetime) -> str:
        return str(raw).strip()

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, str):
            raise self.expectation(now)
        if len(value) < self.min_length:
            raise Invalid(N_("Dat is wat kort. Schrijf minstens {min} tekens."), min=self.min_length)
        if len(value) > self.max_length:
            raise Invalid(
                N_(
                    "Dat is wat lang: hier passen {max} tekens, jouw tekst telt er {count}. "
                    "Maak hem wat korter. Je tekst staat hierboven, zodat je hem kunt kopiëren."
                ),
                max=self.max_length,
                count=len(value),
                echo=value,
            )

    def limits(self) -> tuple[int | None, int | None]:
        return self.min_length, self.max_length


@dataclass(frozen=True, kw_only=True)
class NumberStep(Step):
    """A whole number between `minimum` and `maximum`."""

    minimum: int = 0
    maximum: int = 1000
    kind = "number"

    def hint_values(self, now: datetime) -> dict[str, object]:
        return {"min": self.minimum, "max": self.maximum}

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> int:
        return self.coerce(answer.text if answer.kind == "text" else "", now)

    def coerce(self, raw: Any, now: datetime) -> int:
        amount = parse_amount(str(raw))  # also "4 uur", "€ 50"
        if amount is None:
            raise self.expectation(now)
        return amount

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum <= value <= self.maximum:
            raise self.expectation(now)

    def limits(self) -> tuple[int | None, int | None]:
        return self.minimum, self.maximum


def _example(now: datetime) -> str:
    return f"{now.day}/{now.month}/{now.year}"


@dataclass(frozen=True, kw_only=True)
class DateStep(Step):
    """A calendar date typed as day/month(/year), not in the past; stored as ISO text. With
    `from_now`, a button answers today ("Vanaf nu")."""

    after_step: str | None = None  # must not be before the answer of this step
    from_now: str | None = None  # the label of a button that answers today
    kind = "date"

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        return [Button(t(self.from_now), Action.of(ROUTE, "answer", token, TODAY))] if self.from_now else []

    def hint_values(self, now: datetime) -> dict[str, object]:
        return {"example": _example(now)}

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        if self.from_now and answer.kind == "tap" and answer.value == TODAY:
            return now.date().isoformat()
        value = parse_date(answer.text, now.date()) if answer.kind == "text" else None
        if value is None:
            raise self.expectation(now)
        return value.isoformat()

    def coerce(self, raw: Any, now: datetime) -> str:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise self.expectation(now) from None

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        chosen = date.fromisoformat(self.coerce(value, now))
        if chosen < now.date():
            raise Invalid(N_("Die datum is al voorbij. Kies vandaag of later."))
        earlier = answers.get(self.after_step) if self.after_step else None
        if earlier and chosen < date.fromisoformat(earlier):
            raise Invalid(N_("Kies {date} of later."), date=date.fromisoformat(earlier))

    def show(self, value: Any, t: Translator) -> str:
        return t.date(date.fromisoformat(value))


@dataclass(frozen=True, kw_only=True)
class DateTimeStep(Step):
    """A moment typed as day/month(/year) hour:minute in local time; stored as UTC ISO text."""

    after_step: str | None = None  # must come after the answer of this step
    kind = "datetime"

    def hint_values(self, now: datetime) -> dict[str, object]:
        return {"example": f"{now.day}/{now.month}"}  # "14/3 om 14.00 uur", as people here write it

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        earlier = answers.get(self.after_step) if self.after_step else None
        start = datetime.fromisoformat(earlier).astimezone(now.tzinfo) if earlier else None
        local = parse_moment(answer.text, now, same_day_as=start) if answer.kind == "text" else None
        if local is None:
            raise self.expectation(now)
        return local.astimezone(timezone.utc).isoformat()

    def coerce(self, raw: Any, now: datetime) -> str:
        """An ISO moment (local when it has no zone) or a Unix timestamp (Slack's datetimepicker)."""
        try:
            if isinstance(raw, (int, float)) or str(raw).strip().isdecimal():
                return datetime.fromtimestamp(int(raw), timezone.utc).isoformat()
            moment = datetime.fromisoformat(str(raw).strip())
        except (ValueError, OverflowError, OSError):
            raise self.expectation(now) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=now.tzinfo)
        return moment.astimezone(timezone.utc).isoformat()

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        moment = datetime.fromisoformat(self.coerce(value, now))
        if moment <= now:
            raise Invalid(N_("Dat moment is al voorbij. Kies een moment in de toekomst."))
        earlier = answers.get(self.after_step) if self.after_step else None
        if earlier and moment <= datetime.fromisoformat(earlier):
            raise Invalid(N_("Dit moment moet na {moment} komen."), moment=datetime.fromisoformat(earlier))

    def show(self, value: Any, t: Translator) -> str:
        return t.datetime(datetime.fromisoformat(value), with_year=True)


@dataclass(frozen=True, kw_only=True)
class ChoiceStep(Step):
    """One of a few options, tapped or typed by its label."""

    options: Sequence[Option] = ()
    by_number: Callable[[int], str] | None = None  # the option a typed number falls in ("50" → "< 100 euro")
    kind = "choice"

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        return [Button(t(option.label), Action.of(ROUTE, "answer", token, option.value)) for option in self.options]

    def options_for(self, t: Translator) -> tuple[tuple[str, str], ...]:
        return tuple((option.value, t(option.label)) for option in self.options)

    def _find(self, answer: Answer, t: Translator) -> Option | None:
        for option in self.options:
            if answer.kind == "tap" and answer.value == option.value:
                return option
            if answer.kind == "text" and same(answer.text, t(option.label)):
                return option
        amount = parse_amount(answer.text) if answer.kind == "text" and self.by_number else None
        if amount is not None:
            return next((option for option in self.options if option.value == self.by_number(amount)), None)
        return None

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> Any:
        option = self._find(answer, t)
        if option is None:
            raise self.expectation(now)
        return option.value

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if value not in {option.value for option in self.options}:
            raise self.expectation(now)

    def show(self, value: Any, t: Translator) -> str:
        labels = {option.value: option.label for option in self.options}
        return t(labels[value]) if value in labels else str(value)


YES_NO = (Option("yes", N_("Ja")), Option("no", N_("Nee")))


@dataclass(frozen=True, kw_only=True)
class YesNoStep(ChoiceStep):
    """A yes-or-no question; the answer is stored as a boolean."""

    options: Sequence[Option] = YES_NO
    kind = "yesno"

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> bool:
        said = yes_or_no(answer.text) if answer.kind == "text" else None  # "ja graag", "oké", "non merci"
        return said if said is not None else super().read(answer, t, now, answers) == "yes"

    def coerce(self, raw: Any, now: datetime) -> bool:
        if isinstance(raw, bool):
            return raw
        if raw in ("yes", "no"):
            return raw == "yes"
        raise self.expectation(now)

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, bool):
            raise self.expectation(now)

    def show(self, value: Any, t: Translator) -> str:
        return t(self.options[0].label if value else self.options[1].label)


@dataclass(frozen=True, kw_only=True)
class MultiStep(ChoiceStep):
    """Several options, toggled one tap at a time and closed with "Klaar"."""

    minimum: int = 1
    kind = "multi"

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        chosen = set(answers.get(self.name) or ())
        return [
            Button(t(option.label), Action.of(ROUTE, "answer", token, option.value), selected=option.value in chosen)
            for option in self.options
        ] + [Button(t(N_("Klaar")), Action.of(ROUTE, "done", token), navigation=True)]

    def toggle(self, answer: Answer, t: Translator, answers: Answers) -> list[str] | None:
        """The selection after this tap, or None when the answer is not a toggle."""
        option = self._find(answer, t)
        if option is None:
            return None
        chosen = list(answers.get(self.name) or ())
        if option.value in chosen:
            chosen.remove(option.value)
        else:
            chosen.append(option.value)
        order = [o.value for o in self.options]
        return sorted(chosen, key=order.index)

    def typed_list(self, answer: Answer, t: Translator) -> list[str] | None:
        """Several options typed at once ("erfgoed, sport" or "1, 3": their place in the list), or None."""
        if answer.kind != "text":
            return None
        chosen: list[str] = []
        parts = [part for part in LIST_SEPARATORS.split(answer.text.strip()) if part]
        for part in parts:
            found = self._one(part, t)
            pieces = [self._one(piece, t) for piece in LAST_SEPARATOR.split(part)] if found is None else [found]
            if None in pieces:
                return None
            chosen += pieces
        order = [o.value for o in self.options]
        return sorted(set(chosen), key=order.index) if len(chosen) > 1 else None

    def _one(self, typed: str, t: Translator) -> str | None:
        """The option one typed item names: its label, or its place in the list."""
        if typed.isdecimal() and 1 <= int(typed) <= len(self.options):
            return self.options[int(typed) - 1].value
        option = self._find(Answer("text", text=typed), t)
        return option.value if option is not None else None

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> list[str]:
        return list(answers.get(self.name) or ())  # "Klaar": what was toggled so far

    def coerce(self, raw: Any, now: datetime) -> list[str]:
        items = raw if isinstance(raw, (list, tuple)) else [raw] if raw else []
        return [str(item) for item in items]

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        known = {option.value for option in self.options}
        if not isinstance(value, list) or any(item not in known for item in value):
            raise self.expectation(now)
        if len(value) < self.minimum:
            raise Invalid(N_("Kies minstens één antwoord."))

    def limits(self) -> tuple[int | None, int | None]:
        return self.minimum, None

    def show(self, value: Any, t: Translator) -> str:
        return ", ".join(ChoiceStep.show(self, item, t) for item in value or ())


@dataclass(frozen=True, kw_only=True)
class PhotoStep(Step):
    """A picture; the channel's file id is stored, not the image itself."""

    optional: bool = True
    kind = "photo"

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        if answer.kind != "photo" or not answer.photo:
            raise self.expectation(now)
        return answer.photo

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, str) or not value:
            raise self.expectation(now)

    def show(self, value: Any, t: Translator) -> str:
        return t(N_("foto ontvangen"))


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
    form: bool = False
    role: str | None = None
    steps_by_name: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps_by_name", {step.name: step for step in self.steps})

    def applicable(self, answers: Answers) -> list[Step]:
        return [step for step in self.steps if step.applies(answers)]

    def asked(self, answers: Answers) -> list[Step]:
        """The steps asked one after the other (the others wait at the summary)."""
        return [step for step in self.applicable(answers) if step.asked]

    def after(self, name: str, answers: Answers) -> Step | None:
        steps = self.asked(answers)
        names = [step.name for step in steps]
        index = names.index(name) + 1 if name in names else 0
        return steps[index] if index < len(steps) else None

    def before(self, name: str, answers: Answers) -> Step | None:
        steps = self.asked(answers)
        if name == SUMMARY:
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
            if _empty(raw):
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
        return answers, {**self.validate(answers, now), **problems}

    def as_form(self, t: Translator, answers: Answers | None = None) -> Form:
        """Every step as one form, filled with `answers`; a conditional step is optional there."""
        answers = answers or {}
        fields = tuple(
            step.field(t, answers.get(step.name), optional=step.optional or step.when is not None)
            for step in self.steps
        )
        hidden = {name: value for name, value in answers.items() if name.startswith("_")}
        return Form(t(self.summary_title), fields, Action.of(FORM, self.name), t(N_("Klopt")), hidden=hidden)


def new_token() -> str:
    return secrets.token_hex(3)


def _tap(token: str, verb: str, value: object = None) -> Action:
    return Action.of(ROUTE, verb, token) if value is None else Action.of(ROUTE, verb, token, value)


class Dialogue:
    """Runs flows: starts them, answers one event at a time, and renders the current step."""

    def __init__(
        self, flows: Sequence[Flow], ask_to_replace: Callable[[Context], Awaitable[None]] | None = None
    ) -> None:
        self.flows = {flow.name: flow for flow in flows}
        # Asks whether to stop the dialogue in progress when a button would start another one.
        self.ask_to_replace = ask_to_replace

    # -- starting and resuming ----------------------------------------------------------

    async def start(
        self, ctx: Context, flow_name: str, answers: Answers | None = None, at_summary: bool = False
    ) -> None:
        """Begin `flow_name` at its first step (or, to change earlier answers, at the summary),
        replacing any dialogue in progress: a button tapped mid-dialogue (an old /profiel
        message) first asks. A channel with forms gets the whole flow at once."""
        flow = self.flows[flow_name]
        current = ctx.conversation
        if (
            current is not None
            and current.flow != flow_name
            and ctx.event is not None
            and ctx.event.kind == "tap"
            and self.ask_to_replace is not None
        ):
            await self.ask_to_replace(ctx)
            return
        answers = dict(answers or {})
        if flow.form and ctx.surface.forms:
            ctx.send(flow.as_form(ctx.t, answers))
            return
        first = self._following(flow, "", answers)
        assert first is not None, f"flow {flow_name} has no steps"
        step = SUMMARY if at_summary else first.name
        conversation = await ctx.conversations.begin(ctx.person, flow_name, step, answers, new_token(), ctx.now)
        ctx.conversation = conversation
        await self.render(ctx)

    async def submit(self, ctx: Context, flow_name: str, values: Mapping[str, Any]) -> None:
        """A whole flow submitted as a form: checked by the same rules as the chat, then used."""
        flow = self.flows.get(flow_name)
        if flow is None or not flow.form or (flow.role and not await ctx.has_role(flow.role)):
            ctx.notice(ctx.t(N_("Deze knop is verlopen.")))
            return
        answers, problems = flow.read_form(values, ctx.local_now)
        if problems:
            ctx.send(FieldErrors({name: problem.text(ctx.t, FORM_SURFACE) for name, problem in problems.items()}))
            return
        await flow.on_done(ctx, answers)

    async def render(
        self, ctx: Context, prefix: str | None = None, echo: str | None = None, edit: bool = False, hinted: bool = False
    ) -> None:
        """Show the current step (or summary) with fresh buttons; `prefix` goes above it.

        `echo` (text the person typed and must not lose) is sent first; `edit` redraws the
        buttons of the tapped message in place, as a multi-select does on every tap;
        `hinted` leaves out the channel's hint for the answer when the prefix already gave it.
        """
        conversation = ctx.conversation
        assert conversation is not None
        conversation.token = new_token()
        flow = self.flows[conversation.flow]
        step = flow.steps_by_name.get(conversation.step)
        if conversation.step == SUMMARY:
            extra = await flow.describe(ctx, conversation.answers) if flow.describe else None
            text, buttons = self._summary(ctx, flow, extra)
        elif conversation.step == EDIT:
            text, buttons = self._edit_menu(ctx, flow)
        else:
            text, buttons = self._question(ctx, flow, step, hinted)
        if echo:
            ctx.say(echo)
        if prefix:
            text = f"{prefix}\n\n{text}"
        question = step.field(ctx.t, conversation.answers.get(step.name)) if step is not None else None
        ctx.send(
            Question(
                text,
                tuple(buttons),
                multi=isinstance(step, MultiStep),
                replace="buttons" if edit else None,
                field=question,
            )
        )

    def _question(self, ctx: Context, flow: Flow, step: Step, hinted: bool) -> tuple[str, list[Button]]:
        t, answers, token = ctx.t, ctx.conversation.answers, ctx.conversation.token
        text = t(step.prompt)
        hint = ctx.surface.hint(step.kind) if step.kind in ASKED_WITH_HINT and not hinted else None
        if hint:
            text = t(hint, **step.hint_values(ctx.local_now)) + " " + text
        # Coming back to an answered step (back, edit, profile) shows what is there now.
        if not isinstance(step, MultiStep) and not _empty(answers.get(step.name)):
            text += "\n\n" + t(N_("Nu: {value}"), value=step.show(answers[step.name], t))
        buttons = step.buttons(t, token, answers)
        if flow.before(step.name, answers) is not None or ctx.conversation.mode == SUMMARY:
            buttons.append(Button(t(N_("Terug")), _tap(token, "back"), navigation=True))
        if step.optional:
            buttons.append(Button(t(N_("Overslaan")), _tap(token, "skip"), navigation=True))
        return text, buttons

    def _summary(self, ctx: Context, flow: Flow, extra: str | None) -> tuple[str, list[Button]]:
        t, answers, token = ctx.t, ctx.conversation.answers, ctx.conversation.token
        lines = [t(flow.summary_title), ""]
        for step in flow.applicable(answers):
            value = answers.get(step.name)
            shown = step.show(value, t) if not _empty(value) else t(step.skipped)
            lines.append(f"• {t(step.label)}: {shown}")
        if extra:
            lines += ["", extra]
        lines += ["", t(N_("Klopt dit?"))]
        buttons = [
            Button(t(N_("Klopt")), _tap(token, "ok"), style="primary"),
            Button(t(N_("Aanpassen")), _tap(token, "change")),
            Button(t(N_("Stoppen")), _tap(token, "stop"), style="danger"),
        ]
        return "\n".join(lines), buttons

    def _edit_menu(self, ctx: Context, flow: Flow) -> tuple[str, list[Button]]:
        t, token = ctx.t, ctx.conversation.token
        buttons = [
            Button(t(step.label), _tap(token, "edit", step.name)) for step in flow.applicable(ctx.conversation.answers)
        ]
        buttons.append(Button(t(N_("Terug")), _tap(token, "back"), navigation=True))
        return t(N_("Wat wil je aanpassen?")), buttons

    # -- one event ------------------------------------------------------------------------

    async def handle(self, ctx: Context, event: Inbound) -> None:
        """Answer one event within the current dialogue."""
        conversation = ctx.conversation
        assert conversation is not None
        t = ctx.t
        verb, answer = self._read(event, conversation.token, t)
        if verb == "expired":
            ctx.notice(t(N_("Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht.")))
            return
        flow = self.flows[conversation.flow]
        if verb == "back":
            await self.back(ctx)
        elif verb == "skip":
            await self.skip(ctx)
        elif conversation.step == SUMMARY:
            await self._on_summary(ctx, flow, verb, answer)
        elif conversation.step == EDIT:
            await self._on_edit_menu(ctx, flow, answer)
        else:
            await self._on_answer(ctx, flow, flow.steps_by_name[conversation.step], verb, answer)

    @staticmethod
    def _read(event: Inbound, token: str, t: Translator) -> tuple[str | None, Answer]:
        """What the event does (a verb such as "back", or None for an answer) and the answer."""
        if event.kind == "tap":
            action = event.action
            if action is None or action.route != ROUTE or action.arg(0) != token:
                return "expired", Answer("other")
            return action.verb, Answer("tap", value=action.arg(1))
        if event.kind == "photo":
            return None, Answer("photo", photo=event.photo)
        if event.kind != "text":
            return None, Answer("other")
        for verb, label in (("back", N_("Terug")), ("skip", N_("Overslaan"))):
            if same(event.text, t(label)):
                return verb, Answer("text", text=event.text)
        if plain(event.text) in DONT_KNOW:  # "weet ik niet": skipped where it may be, never stored as the answer
            return "skip", Answer("text", text=event.text)
        return None, Answer("text", text=event.text)

    async def _on_answer(self, ctx: Context, flow: Flow, step: Step, verb: str | None, answer: Answer) -> None:
        conversation, t, now = ctx.conversation, ctx.t, ctx.local_now
        answers = dict(conversation.answers)
        listed = step.typed_list(answer, t) if isinstance(step, MultiStep) and verb != "done" else None
        if listed is not None:  # all at once: as if each was tapped, then Klaar
            answers[step.name], verb = listed, "done"
        if isinstance(step, MultiStep) and verb != "done":
            typed_done = answer.kind == "text" and same(answer.text, t(N_("Klaar")))
            chosen = None if typed_done else step.toggle(answer, t, answers)
            if chosen is not None:
                answers[step.name] = chosen
                conversation.answers = answers
                await self.render(ctx, edit=True)
                return
            if not typed_done:
                await self._reask(ctx, step.expectation(now), unreadable=answer.kind == "other")
                return
        try:
            value = step.read(answer, t, now, answers)
            step.check(value, answers, now)
        except Invalid as problem:
            await self._reask(ctx, problem, unreadable=answer.kind == "other")
            return
        answers[step.name] = value
        conversation.answers = answers
        if step.on_answer is not None:
            await step.on_answer(ctx, value)
        await self._advance(ctx, flow, step.name)

    async def _reask(self, ctx: Context, problem: Invalid, unreadable: bool = False) -> None:
        """Say what was expected and ask the same step again; nothing entered is lost."""
        t, surface = ctx.t, ctx.surface
        cancel = surface.hint("cancel")
        text = problem.text(t, surface) + (" " + t(cancel) if cancel else "")
        if unreadable:
            text = t(N_("Dit soort bericht kan ik hier niet lezen.")) + " " + text
        await self.render(ctx, prefix=text, echo=problem.values.get("echo"), hinted=problem.expected is not None)

    async def _advance(self, ctx: Context, flow: Flow, current: str) -> None:
        conversation = ctx.conversation
        answers = conversation.answers
        following = None if conversation.mode == SUMMARY else self._following(flow, current, answers)
        if following is None and conversation.mode == SUMMARY:
            # An edit can make later steps apply that were never asked: ask those first.
            following = next((s for s in flow.asked(answers) if s.name not in answers), None)
        if following is not None:
            conversation.step = following.name
            await self.render(ctx)
        elif flow.confirm:
            conversation.step, conversation.mode = SUMMARY, "ask"
            await self.render(ctx)
        else:
            await self._finish(ctx, flow)

    @staticmethod
    def _following(flow: Flow, current: str, answers: Answers) -> Step | None:
        """The step after `current`, passing those answered before the flow began (`_prefilled`)."""
        prefilled = answers.get(PREFILLED) or ()
        following = flow.after(current, answers)
        while following is not None and following.name in prefilled and following.name in answers:
            following = flow.after(following.name, answers)
        return following

    async def _on_summary(self, ctx: Context, flow: Flow, verb: str | None, answer: Answer) -> None:
        if verb is None:
            verb = self._typed_choice(
                answer, ctx.t, (("ok", N_("Klopt")), ("change", N_("Aanpassen")), ("stop", N_("Stoppen")))
            )
        if verb == "ok":
            problems = flow.validate(ctx.conversation.answers, ctx.local_now)
            if problems:
                name, problem = next(iter(problems.items()))
                ctx.conversation.step, ctx.conversation.mode = name, SUMMARY
                await self.render(ctx, prefix=problem.text(ctx.t, ctx.surface))
                return
            await self._finish(ctx, flow)
        elif verb == "change":
            ctx.conversation.step = EDIT
            await self.render(ctx)
        elif verb == "stop":
            await self.cancel(ctx)
        else:
            await self._reask(ctx, Invalid(N_("Kies Klopt, Aanpassen of Stoppen.")), answer.kind == "other")

    async def _on_edit_menu(self, ctx: Context, flow: Flow, answer: Answer) -> None:
        names = {step.name: step for step in flow.applicable(ctx.conversation.answers)}
        value = (
            answer.value
            if answer.kind == "tap"
            else self._typed_choice(answer, ctx.t, [(name, step.label) for name, step in names.items()])
        )
        if value not in names:
            await self._reask(ctx, Invalid(expected="choice"), answer.kind == "other")
            return
        ctx.conversation.step, ctx.conversation.mode = value, SUMMARY
        await self.render(ctx)

    @staticmethod
    def _typed_choice(answer: Answer, t: Translator, choices: Sequence[tuple[str, str]]) -> str | None:
        if answer.kind != "text":
            return None
        return next((value for value, label in choices if same(answer.text, t(label))), None)

    async def _finish(self, ctx: Context, flow: Flow) -> None:
        # Answers to steps that no longer apply (after an edit) are left out.
        applicable = {step.name for step in flow.applicable(ctx.conversation.answers)}
        answers = {
            key: value for key, value in ctx.conversation.answers.items() if key in applicable or key.startswith("_")
        }
        await ctx.conversations.end(ctx.conversation)
        ctx.conversation = None
        await flow.on_done(ctx, answers)

    # -- navigation commands ---------------------------------------------------------------

    async def back(self, ctx: Context) -> None:
        """Go one step back (from the edit list: back to the summary)."""
        conversation, t = ctx.conversation, ctx.t
        flow = self.flows[conversation.flow]
        if conversation.mode == SUMMARY or conversation.step == EDIT:
            conversation.step, conversation.mode = SUMMARY, "ask"
            await self.render(ctx)
            return
        previous = flow.before(conversation.step, conversation.answers)
        if previous is None:
            await self.render(ctx, prefix=t(N_("Dit is de eerste vraag.")))
            return
        conversation.step = previous.name
        await self.render(ctx)

    async def skip(self, ctx: Context) -> None:
        """Skip the current step when it is optional."""
        conversation, t = ctx.conversation, ctx.t
        flow = self.flows[conversation.flow]
        step = flow.steps_by_name.get(conversation.step)
        if step is None or not step.optional:
            await self.render(ctx, prefix=t(N_("Deze vraag kun je niet overslaan.")))
            return
        conversation.answers = {**conversation.answers, step.name: None}
        await self._advance(ctx, flow, step.name)

    def has_typed(self, conversation: Conversation) -> bool:
        """Whether the person already wrote answers in a flow that ends in a summary (worth asking
        before dropping them; a one-field change such as the profile's is not)."""
        return self.flows[conversation.flow].confirm and any(
            not _empty(value) for key, value in conversation.answers.items() if not key.startswith("_")
        )

    async def cancel(self, ctx: Context) -> None:
        """Stop the dialogue; nothing of it is saved."""
        flow = self.flows[ctx.conversation.flow]
        await ctx.conversations.end(ctx.conversation)
        ctx.conversation = None
        ctx.say(ctx.t(flow.cancelled))
