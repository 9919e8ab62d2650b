"""The channel-neutral dialogue engine: flows made of steps, with their state in the database.

A flow is a value: a list of steps (free text, choice, multi-choice, number, date, photo)
and what to do with the answers. The engine asks one step at a time, re-asks with a
friendly hint on bad input without losing anything, goes back, skips optional steps,
shows a summary to confirm or edit before anything is saved, and keeps every answer in
the `conversation` row so a restart continues at the same step.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.replies import Button

if TYPE_CHECKING:
    from bot.context import Context
    from bot.events import Inbound

SUMMARY = "_summary"
EDIT = "_edit"
BACK, SKIP, DONE, OK, CHANGE, STOP = "_back", "_skip", "_done", "_ok", "_change", "_stop"

Answers = dict[str, Any]


class Invalid(Exception):
    """An answer that does not fit the step; `message` (a msgid) says what is expected."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Option:
    """One choice: a short stable `value` and a `label` msgid."""

    value: str
    label: str


@dataclass(frozen=True, kw_only=True)
class Step:
    """One question. `prompt` and `label` are msgids, translated when shown."""

    name: str
    prompt: str
    label: str
    optional: bool = False
    when: Callable[[Answers], bool] | None = None
    on_answer: Callable[[Context, Any], Awaitable[None]] | None = None
    hint: str = N_("Typ je antwoord in een bericht.")

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    def buttons(self, t: Translator, answers: Answers) -> list[Button]:
        return []

    def expectation(self, ctx: Context) -> Invalid:
        """What this step expects, as the re-ask for an answer that does not fit."""
        return Invalid(self.hint)

    def parse(self, event: Inbound, ctx: Context) -> Any:
        raise NotImplementedError

    def show(self, value: Any, t: Translator) -> str:
        return str(value)


@dataclass(frozen=True, kw_only=True)
class TextStep(Step):
    """Free text between `min_length` and `max_length` characters."""

    min_length: int = 2
    max_length: int = 1000

    def parse(self, event: Inbound, ctx: Context) -> str:
        if event.kind != "text":
            raise self.expectation(ctx)
        text = event.text.strip()
        if len(text) < self.min_length:
            raise Invalid(N_("Dat is wat kort. Schrijf minstens {min} tekens."), min=self.min_length)
        if len(text) > self.max_length:
            raise Invalid(
                N_(
                    "Dat is wat lang: hier passen {max} tekens, jouw tekst telt er {count}. "
                    "Maak hem wat korter. Je tekst staat hieronder, zodat je hem kunt kopiëren."
                ),
                max=self.max_length,
                count=len(text),
                echo=text,
            )
        return text


@dataclass(frozen=True, kw_only=True)
class NumberStep(Step):
    """A whole number between `minimum` and `maximum`."""

    minimum: int = 0
    maximum: int = 1000
    hint: str = N_("Typ een getal tussen {min} en {max}.")

    def expectation(self, ctx: Context) -> Invalid:
        return Invalid(self.hint, min=self.minimum, max=self.maximum)

    def parse(self, event: Inbound, ctx: Context) -> int:
        text = event.text.strip() if event.kind == "text" else ""
        if not re.fullmatch(r"\d{1,7}", text) or not self.minimum <= int(text) <= self.maximum:
            raise self.expectation(ctx)
        return int(text)


_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?")


@dataclass(frozen=True, kw_only=True)
class DateStep(Step):
    """A calendar date typed as day/month(/year), not in the past; stored as ISO text."""

    after_step: str | None = None  # must not be before the answer of this step
    hint: str = N_("Typ een datum, bijvoorbeeld {example}.")

    def expectation(self, ctx: Context) -> Invalid:
        today = ctx.today
        return Invalid(self.hint, example=f"{today.day}/{today.month}/{today.year}")

    def parse(self, event: Inbound, ctx: Context) -> str:
        t, answers, today = ctx.t, ctx.conversation.answers, ctx.today
        match = _DATE.fullmatch(event.text.strip()) if event.kind == "text" else None
        if not match:
            raise self.expectation(ctx)
        day, month, year = match.groups()
        year_value = int(year) if year else today.year
        if year_value < 100:
            year_value += 2000
        try:
            value = date(year_value, int(month), int(day))
        except ValueError:
            raise self.expectation(ctx) from None
        if not year and value < today:
            value = value.replace(year=value.year + 1)
        if value < today:
            raise Invalid(N_("Die datum is al voorbij. Kies vandaag of later."))
        earlier = answers.get(self.after_step) if self.after_step else None
        if earlier and value < date.fromisoformat(earlier):
            raise Invalid(N_("Kies {date} of later."), date=t.date(date.fromisoformat(earlier)))
        return value.isoformat()

    def show(self, value: Any, t: Translator) -> str:
        return t.date(date.fromisoformat(value))


_DATETIME = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?\s+(?:om\s+)?(\d{1,2})[:.hu](\d{2})?")


@dataclass(frozen=True, kw_only=True)
class DateTimeStep(Step):
    """A moment typed as day/month(/year) hour:minute in local time; stored as UTC ISO text."""

    after_step: str | None = None  # must come after the answer of this step
    hint: str = N_("Typ een datum en een uur, bijvoorbeeld {example}.")

    def expectation(self, ctx: Context) -> Invalid:
        today = ctx.today
        return Invalid(self.hint, example=f"{today.day}/{today.month}/{today.year} 14:00")

    def parse(self, event: Inbound, ctx: Context) -> str:
        match = _DATETIME.fullmatch(event.text.strip().lower()) if event.kind == "text" else None
        if not match:
            raise self.expectation(ctx)
        day, month, year, hour, minute = match.groups()
        zone = ZoneInfo(ctx.settings.timezone)
        try:
            local = datetime(int(year) + (2000 if len(year) == 2 else 0) if year else ctx.today.year,
                             int(month), int(day), int(hour), int(minute or 0), tzinfo=zone)
        except ValueError:
            raise self.expectation(ctx) from None
        moment = local.astimezone(timezone.utc)
        if not year and moment <= ctx.now:
            moment = local.replace(year=local.year + 1).astimezone(timezone.utc)
        if moment <= ctx.now:
            raise Invalid(N_("Dat moment is al voorbij. Kies een moment in de toekomst."))
        earlier = ctx.conversation.answers.get(self.after_step) if self.after_step else None
        if earlier and moment <= datetime.fromisoformat(earlier):
            raise Invalid(N_("Dit moment moet na {moment} komen."),
                          moment=ctx.t.datetime(datetime.fromisoformat(earlier)))
        return moment.isoformat()

    def show(self, value: Any, t: Translator) -> str:
        return t.datetime(datetime.fromisoformat(value))


@dataclass(frozen=True, kw_only=True)
class ChoiceStep(Step):
    """One of a few options, tapped or typed by its label."""

    options: Sequence[Option] = ()
    hint: str = N_("Kies een van de knoppen.")

    def buttons(self, t: Translator, answers: Answers) -> list[Button]:
        return [Button(option.value, t(option.label)) for option in self.options]

    def _find(self, event: Inbound, t: Translator) -> Option | None:
        for option in self.options:
            if event.kind == "tap" and event.value == option.value:
                return option
            if event.kind == "text" and event.text.strip().casefold() == t(option.label).casefold():
                return option
        return None

    def parse(self, event: Inbound, ctx: Context) -> Any:
        option = self._find(event, ctx.t)
        if option is None:
            raise self.expectation(ctx)
        return option.value

    def show(self, value: Any, t: Translator) -> str:
        labels = {option.value: option.label for option in self.options}
        return t(labels[value]) if value in labels else str(value)


YES_NO = (Option("yes", N_("Ja")), Option("no", N_("Nee")))


@dataclass(frozen=True, kw_only=True)
class YesNoStep(ChoiceStep):
    """A yes-or-no question; the answer is stored as a boolean."""

    options: Sequence[Option] = YES_NO

    def parse(self, event: Inbound, ctx: Context) -> bool:
        return super().parse(event, ctx) == "yes"

    def show(self, value: Any, t: Translator) -> str:
        return t(YES_NO[0].label if value else YES_NO[1].label)


@dataclass(frozen=True, kw_only=True)
class MultiStep(ChoiceStep):
    """Several options, toggled one tap at a time and closed with "Klaar"."""

    minimum: int = 1
    hint: str = N_("Tik op alles wat past. Tik daarna op Klaar.")

    def buttons(self, t: Translator, answers: Answers) -> list[Button]:
        chosen = set(answers.get(self.name) or ())
        return [
            Button(option.value, t(option.label), selected=option.value in chosen)
            for option in self.options
        ] + [Button(DONE, t(N_("Klaar")))]

    def toggle(self, event: Inbound, t: Translator, answers: Answers) -> list[str] | None:
        """The selection after this tap, or None when the event is not a toggle."""
        option = self._find(event, t)
        if option is None:
            return None
        chosen = list(answers.get(self.name) or ())
        if option.value in chosen:
            chosen.remove(option.value)
        else:
            chosen.append(option.value)
        order = [o.value for o in self.options]
        return sorted(chosen, key=order.index)

    def parse(self, event: Inbound, ctx: Context) -> list[str]:
        chosen = list(ctx.conversation.answers.get(self.name) or ())
        if len(chosen) < self.minimum:
            raise Invalid(N_("Kies minstens één antwoord. Tik daarna op Klaar."))
        return chosen

    def show(self, value: Any, t: Translator) -> str:
        return ", ".join(ChoiceStep.show(self, item, t) for item in value or ())


@dataclass(frozen=True, kw_only=True)
class PhotoStep(Step):
    """A picture; the channel's file id is stored, not the image itself."""

    optional: bool = True
    hint: str = N_("Stuur een foto, of tik op Overslaan.")

    def parse(self, event: Inbound, ctx: Context) -> str:
        if event.kind != "photo" or not event.photo:
            raise self.expectation(ctx)
        return event.photo

    def show(self, value: Any, t: Translator) -> str:
        return t(N_("foto ontvangen"))


@dataclass(frozen=True)
class Flow:
    """A dialogue: its steps, and what happens with the answers once confirmed.

    With `confirm`, a summary ("klopt dit?") comes before `on_done`; without it the
    answers are used as soon as the last step is answered (for one-question flows).
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
    steps_by_name: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps_by_name", {step.name: step for step in self.steps})

    def applicable(self, answers: Answers) -> list[Step]:
        return [step for step in self.steps if step.applies(answers)]

    def after(self, name: str, answers: Answers) -> Step | None:
        steps = self.applicable(answers)
        names = [step.name for step in steps]
        index = names.index(name) + 1 if name in names else 0
        return steps[index] if index < len(steps) else None

    def before(self, name: str, answers: Answers) -> Step | None:
        steps = self.applicable(answers)
        if name == SUMMARY:
            return steps[-1] if steps else None
        names = [step.name for step in steps]
        index = names.index(name) - 1 if name in names else -1
        return steps[index] if index >= 0 else None


def new_token() -> str:
    return secrets.token_hex(3)


class Dialogue:
    """Runs flows: starts them, answers one event at a time, and renders the current step."""

    def __init__(self, flows: Sequence[Flow]) -> None:
        self.flows = {flow.name: flow for flow in flows}

    # -- starting and resuming ----------------------------------------------------------

    async def start(self, ctx: Context, flow_name: str, answers: Answers | None = None,
                    at_summary: bool = False) -> None:
        """Begin `flow_name` at its first step (or, to change earlier answers, at the summary),
        replacing any dialogue in progress."""
        flow = self.flows[flow_name]
        answers = dict(answers or {})
        first = flow.after("", answers)
        assert first is not None, f"flow {flow_name} has no steps"
        step = SUMMARY if at_summary else first.name
        conversation = await ctx.conversations.begin(ctx.person, flow_name, step, answers, new_token(), ctx.now)
        ctx.conversation = conversation
        await self.render(ctx)

    async def render(self, ctx: Context, prefix: str | None = None, echo: str | None = None,
               edit: bool = False) -> None:
        """Show the current step (or summary) with fresh buttons; `prefix` goes above it.

        `echo` (text the person typed and must not lose) is sent first; `edit` redraws the
        previous message in place, as a multi-select does on every tap.
        """
        conversation = ctx.conversation
        assert conversation is not None
        conversation.token = new_token()
        flow = self.flows[conversation.flow]
        if conversation.step == SUMMARY:
            extra = await flow.describe(ctx, conversation.answers) if flow.describe else None
            text, buttons = self._summary(ctx, flow, extra)
        elif conversation.step == EDIT:
            text, buttons = self._edit_menu(ctx, flow)
        else:
            text, buttons = self._question(ctx, flow, flow.steps_by_name[conversation.step])
        if echo:
            ctx.say(echo)
        if prefix:
            text = f"{prefix}\n\n{text}"
        step = flow.steps_by_name.get(conversation.step)
        ctx.say(text, buttons, token=conversation.token, multi=isinstance(step, MultiStep), edit=edit)

    def _question(self, ctx: Context, flow: Flow, step: Step) -> tuple[str, list[Button]]:
        t, answers = ctx.t, ctx.conversation.answers
        text = t(step.prompt)
        # Coming back to an answered step (back, edit, profile) shows what is there now.
        if not isinstance(step, MultiStep) and answers.get(step.name) not in (None, [], ""):
            text += "\n\n" + t(N_("Nu: {value}"), value=step.show(answers[step.name], t))
        buttons = step.buttons(t, answers)
        if flow.before(step.name, answers) is not None or ctx.conversation.mode == SUMMARY:
            buttons.append(Button(BACK, t(N_("Terug"))))
        if step.optional:
            buttons.append(Button(SKIP, t(N_("Overslaan"))))
        return text, buttons

    def _summary(self, ctx: Context, flow: Flow, extra: str | None) -> tuple[str, list[Button]]:
        t, answers = ctx.t, ctx.conversation.answers
        lines = [t(flow.summary_title), ""]
        for step in flow.applicable(answers):
            value = answers.get(step.name)
            shown = step.show(value, t) if value not in (None, [], "") else t(N_("(overgeslagen)"))
            lines.append(f"• {t(step.label)}: {shown}")
        if extra:
            lines += ["", extra]
        lines += ["", t(N_("Klopt dit?"))]
        buttons = [
            Button(OK, t(N_("Klopt"))),
            Button(CHANGE, t(N_("Aanpassen"))),
            Button(STOP, t(N_("Stoppen"))),
        ]
        return "\n".join(lines), buttons

    def _edit_menu(self, ctx: Context, flow: Flow) -> tuple[str, list[Button]]:
        t = ctx.t
        buttons = [Button(step.name, t(step.label)) for step in flow.applicable(ctx.conversation.answers)]
        buttons.append(Button(BACK, t(N_("Terug"))))
        return t(N_("Wat wil je aanpassen?")), buttons

    # -- one event ------------------------------------------------------------------------

    async def handle(self, ctx: Context, event: Inbound) -> None:
        """Answer one event within the current dialogue."""
        conversation = ctx.conversation
        assert conversation is not None
        t = ctx.t
        if event.kind == "tap" and event.token != conversation.token:
            ctx.notice(t(N_("Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht.")))
            return
        flow = self.flows[conversation.flow]
        value = event.value if event.kind == "tap" else self._typed_nav(event, t)
        if value == BACK:
            await self.back(ctx)
        elif value == SKIP:
            await self.skip(ctx)
        elif conversation.step == SUMMARY:
            await self._on_summary(ctx, flow, event)
        elif conversation.step == EDIT:
            await self._on_edit_menu(ctx, flow, event)
        else:
            await self._on_answer(ctx, flow, flow.steps_by_name[conversation.step], event)

    @staticmethod
    def _typed_nav(event: Inbound, t: Translator) -> str | None:
        typed = event.text.strip().casefold() if event.kind == "text" else ""
        for value, label in ((BACK, N_("Terug")), (SKIP, N_("Overslaan"))):
            if typed == t(label).casefold():
                return value
        return None

    async def _on_answer(self, ctx: Context, flow: Flow, step: Step, event: Inbound) -> None:
        conversation, t = ctx.conversation, ctx.t
        answers = dict(conversation.answers)
        if isinstance(step, MultiStep) and not (event.kind == "tap" and event.value == DONE):
            typed_done = event.kind == "text" and event.text.strip().casefold() == t(N_("Klaar")).casefold()
            chosen = None if typed_done else step.toggle(event, t, answers)
            if chosen is not None:
                answers[step.name] = chosen
                conversation.answers = answers
                await self.render(ctx, edit=True)
                return
            if not typed_done:
                await self._reask(ctx, step.expectation(ctx), unreadable=event.kind == "other")
                return
        try:
            value = step.parse(event, ctx)
        except Invalid as problem:
            await self._reask(ctx, problem, unreadable=event.kind == "other")
            return
        answers[step.name] = value
        conversation.answers = answers
        if step.on_answer is not None:
            await step.on_answer(ctx, value)
        await self._advance(ctx, flow, step.name)

    async def _reask(self, ctx: Context, problem: Invalid, unreadable: bool = False) -> None:
        """Say what was expected and ask the same step again; nothing entered is lost."""
        t = ctx.t
        values = {key: value for key, value in problem.values.items() if key != "echo"}
        text = t(problem.message, **values) + " " + t(N_("Of typ /annuleer om te stoppen."))
        if unreadable:
            text = t(N_("Dit soort bericht kan ik hier niet lezen.")) + " " + text
        await self.render(ctx, prefix=text, echo=problem.values.get("echo"))

    async def _advance(self, ctx: Context, flow: Flow, current: str) -> None:
        conversation = ctx.conversation
        answers = conversation.answers
        following = None if conversation.mode == SUMMARY else flow.after(current, answers)
        if following is None and conversation.mode == SUMMARY:
            # An edit can make later steps apply that were never asked: ask those first.
            following = next((s for s in flow.applicable(answers) if s.name not in answers), None)
        if following is not None:
            conversation.step = following.name
            await self.render(ctx)
        elif flow.confirm:
            conversation.step, conversation.mode = SUMMARY, "ask"
            await self.render(ctx)
        else:
            await self._finish(ctx, flow)

    async def _on_summary(self, ctx: Context, flow: Flow, event: Inbound) -> None:
        value = event.value if event.kind == "tap" else self._typed_choice(event, ctx.t, (
            (OK, N_("Klopt")), (CHANGE, N_("Aanpassen")), (STOP, N_("Stoppen"))))
        if value == OK:
            problem = self._problem(flow, ctx.conversation.answers)
            if problem is not None:
                ctx.conversation.step, ctx.conversation.mode = problem[1], SUMMARY
                await self.render(ctx, prefix=ctx.t(problem[0]))
                return
            await self._finish(ctx, flow)
        elif value == CHANGE:
            ctx.conversation.step = EDIT
            await self.render(ctx)
        elif value == STOP:
            await self.cancel(ctx)
        else:
            await self._reask(ctx, Invalid(N_("Kies Klopt, Aanpassen of Stoppen.")), event.kind == "other")

    async def _on_edit_menu(self, ctx: Context, flow: Flow, event: Inbound) -> None:
        names = {step.name: step for step in flow.applicable(ctx.conversation.answers)}
        value = event.value if event.kind == "tap" else self._typed_choice(
            event, ctx.t, [(name, step.label) for name, step in names.items()])
        if value not in names:
            await self._reask(ctx, Invalid(N_("Kies een van de knoppen.")), event.kind == "other")
            return
        ctx.conversation.step, ctx.conversation.mode = value, SUMMARY
        await self.render(ctx)

    @staticmethod
    def _typed_choice(event: Inbound, t: Translator, choices: Sequence[tuple[str, str]]) -> str | None:
        typed = event.text.strip().casefold() if event.kind == "text" else None
        return next((value for value, label in choices if t(label).casefold() == typed), None)

    def _problem(self, flow: Flow, answers: Answers) -> tuple[str, str] | None:
        """A required step still without an answer, or what the flow's own check finds."""
        for step in flow.applicable(answers):
            if not step.optional and answers.get(step.name) is None:
                return N_("Deze vraag moet je nog beantwoorden."), step.name
        return flow.check(answers) if flow.check else None

    async def _finish(self, ctx: Context, flow: Flow) -> None:
        # Answers to steps that no longer apply (after an edit) are left out.
        applicable = {step.name for step in flow.applicable(ctx.conversation.answers)}
        answers = {key: value for key, value in ctx.conversation.answers.items()
                   if key in applicable or key.startswith("_")}
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

    async def cancel(self, ctx: Context) -> None:
        """Stop the dialogue; nothing of it is saved."""
        flow = self.flows[ctx.conversation.flow]
        await ctx.conversations.end(ctx.conversation)
        ctx.conversation = None
        ctx.say(ctx.t(flow.cancelled))
