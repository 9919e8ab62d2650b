"""The dialogue engine: starts flows, answers one event at a time within one, and navigates.

It asks one step at a time, re-asks with a friendly hint on bad input without losing
anything, shows a summary to confirm or edit before anything is saved, and keeps every
answer in the `conversation` row so a restart continues at the same step. Navigation is
its own too: back (/terug), skip (/overslaan), stop (/annuleer), and switching to another
command or button mid-dialogue after asking whether to drop this one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.dialogue import screens
from bot.dialogue.flow import PREFILLED, Flow
from bot.dialogue.position import AT_EDIT, AT_SUMMARY, At, Position
from bot.dialogue.screens import new_token
from bot.dialogue.steps import (
    ROUTE,
    Answer,
    Answers,
    ChoiceStep,
    Invalid,
    MultiStep,
    Step,
    TextStep,
    Unsure,
    empty,
)
from bot.errors import Expired, answering_expired
from bot.i18n import N_, Translator
from bot.replies import Action, Button, FieldErrors, Question
from bot.surfaces import FORM as FORM_SURFACE
from bot.typed import DONT_KNOW, asks_back, choose, plain, same, yes_or_no

if TYPE_CHECKING:
    from bot.context import Context
    from bot.events import Inbound
    from storage.models import Conversation

SWITCH = "switch"  # route of "stop this dialogue and start that command?" buttons; verb: the command
STOP = "!stop"  # the SWITCH verb that stops the dialogue after all
TAP = "!tap"  # the SWITCH verb that stops it and taps again the button it carries
# The dialogue's own commands, in every language, with their description for a chat app's menu.
UNSURE = "_unsure"  # the answer that waits for a yes (an `Unsure` reading): {"step": name, "value": value}
NAVIGATION = {
    ("annuleer", "cancel", "stop", "annuler"): N_("Stoppen met de vraag van nu"),
    ("terug", "back", "retour"): None,
    ("overslaan", "skip", "passer"): None,
}

ASKED = "_asked"  # a question asked back instead of an answer: [step, text], kept once in case it was the answer

Handler = Callable[["Context"], Awaitable[None]]
# What a person asked for mid-dialogue (a command by its name, or a tapped button), ready to
# run once the dialogue stops; None when it is unknown or needs a role they do not hold. The
# core knows commands, routes and roles; the engine only decides when to run it.
Runnable = Callable[["Context", str | Action], Awaitable[Handler | None]]


class Dialogue:
    """Runs flows: starts them, answers one event at a time, renders the current step, navigates."""

    def __init__(self, flows: Sequence[Flow], menu: Handler, runnable: Runnable) -> None:
        self.flows = {flow.name: flow for flow in flows}
        self.menu = menu  # what to show once a dialogue is stopped, or when none runs
        self.runnable = runnable

    # -- starting and resuming ----------------------------------------------------------

    async def start(self, ctx: Context, flow: Flow, answers: Answers | None = None, at_summary: bool = False) -> None:
        """Begin `flow` at its first step (or, to change earlier answers, at the summary),
        replacing any dialogue in progress: a button tapped mid-dialogue (an old /profiel
        message) first asks. A channel with forms gets the whole flow at once."""
        name = flow.name
        flow = self._held(name)
        current, tapped = ctx.conversation, ctx.event.action if ctx.event.kind == "tap" else None
        if current is not None and current.flow != flow.name and tapped is not None:
            self._ask_to_replace(ctx, tapped)
            return
        answers = dict(answers or {})
        if flow.form and ctx.surface.forms:
            ctx.send(flow.as_form(ctx.t, answers))
            return
        first = self._following(flow, "", answers)
        if first is None:  # every step answered before it began: the summary shows them
            at_summary = True
        # The row begins with mode "ask", which is what both these positions store.
        step, _ = (AT_SUMMARY if at_summary or first is None else Position.asking(first.name)).columns()
        ctx.conversation = await ctx.conversations.begin(
            ctx.known_person, flow.name, step, answers, new_token(), ctx.now
        )
        await self.render(ctx)

    def _held(self, name: str) -> Flow:
        """The application's flow by this name: a dialogue's row names its flow, so every later
        turn finds it there, and only a flow the application holds can be started."""
        flow = self.flows.get(name)
        if flow is None:
            raise LookupError(f"flow {name!r} is not one of the application's flows")
        return flow

    async def submit(self, ctx: Context, flow_name: str, values: Mapping[str, Any]) -> None:
        """A whole flow submitted as a form: checked by the same rules as the chat, then used."""
        with answering_expired(ctx):
            flow = self.flows.get(flow_name)
            if flow is None or not flow.form or (flow.role and not await ctx.has_role(flow.role)):
                raise Expired()
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
        conversation.token = token = new_token()
        flow = self.flows[conversation.flow]
        position = Position.of(conversation)
        answers, t = conversation.answers, ctx.t
        step = flow.step(position.step, answers) if position.step is not None else None
        if position.at is At.SUMMARY:
            extra = await flow.describe(ctx, answers) if flow.describe else None
            text, buttons = screens.summary(t, flow, answers, token, extra)
        elif step is None:  # the list of what to change
            text, buttons = screens.edit_list(t, flow, answers, token)
        else:
            text, buttons = screens.question(
                t,
                ctx.surface,
                ctx.local_now,
                flow,
                step,
                answers,
                token,
                from_summary=position.from_summary,
                hinted=hinted,
            )
        if echo:
            ctx.say(echo)
        if prefix:
            text = f"{prefix}\n\n{text}"
        question = step.field(t, answers.get(step.name)) if step is not None else None
        ctx.send(
            Question(
                text,
                tuple(buttons),
                multi=isinstance(step, MultiStep),
                replace="buttons" if edit else None,
                field=question,
            )
        )

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
        position = Position.of(conversation)
        if verb == "back":
            await self.back(ctx)
        elif verb == "skip":
            await self.skip(ctx)
        elif position.at is At.SUMMARY:
            await self._on_summary(ctx, flow, verb, answer)
        elif position.at is At.EDIT:
            await self._on_edit_list(ctx, flow, answer)
        else:
            assert position.step is not None
            await self._on_answer(ctx, flow, flow.step(position.step, conversation.answers), verb, answer)

    def reads(self, ctx: Context, event: Inbound) -> bool:
        """Whether the question asked now takes this typed text as its answer: an open question any
        text, a choice one of its options (or several: it asks which); the summary, the edit list
        and the dialogue's own words ("terug", "weet ik niet") always read it."""
        conversation = ctx.conversation
        if conversation is None:
            return False
        verb, answer = self._read(event, conversation.token, ctx.t)
        position = Position.of(conversation)
        if verb is not None or position.step is None:
            return True
        step = self.flows[conversation.flow].step(position.step, conversation.answers)
        return not isinstance(step, ChoiceStep) or step.takes(answer, ctx.t)

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
        assert conversation is not None
        answers = dict(conversation.answers)
        unsure = answers.pop(UNSURE, None)
        said = self._yes_or_no(answer) if unsure is not None and unsure.get("step") == step.name else None
        if said is False:  # not what they meant: the same question, without the reading
            conversation.answers = answers
            await self.render(ctx, prefix=t(N_("Oké. Typ het dan nog eens, bijvoorbeeld met het jaar erbij.")))
            return
        if said is None and step.optional and step.declines(answer):  # "nee", "geen", "heb ik niet" to a photo
            await self.skip(ctx)
            return
        asked = answers.pop(ASKED, None)
        if said is None and isinstance(step, TextStep) and answer.kind == "text":
            if asked and asked[0] == step.name and yes_or_no(answer.text) is True:
                answer = Answer("text", text=asked[1])  # "ja": the question was the answer after all
            elif step.example and asks_back(answer.text) and asked != [step.name, answer.text.strip()]:
                conversation.answers = {**answers, ASKED: [step.name, answer.text.strip()]}
                await self._answer_back(ctx, step)
                return
            elif step.example and yes_or_no(answer.text) is not None:  # "ja" to "Wat kan beter?": no answer yet
                await self.render(
                    ctx,
                    prefix=t(N_("Vertel het in een paar woorden. Een voorbeeld: “{example}”"), example=t(step.example)),
                )
                return
        try:
            listed = step.typed_list(answer, t) if isinstance(step, MultiStep) and verb != "done" else None
            typed_done = isinstance(step, MultiStep) and step.typed_done(answer, t)
            chosen = (
                step.toggle(answer, t, answers)
                if isinstance(step, MultiStep) and verb != "done" and listed is None and not typed_done
                else None
            )
        except Invalid as problem:  # a typed option that could be several: asked which
            await self._reask(ctx, problem, optional=step.optional)
            return
        if listed is not None:  # all at once: as if each was tapped, then Klaar
            answers[step.name], verb = listed, "done"
        if isinstance(step, MultiStep) and verb != "done":
            if chosen is not None:
                answers[step.name] = chosen
                conversation.answers = answers
                await self.render(ctx, edit=True)
                return
            if not typed_done:
                await self._reask(ctx, step.expectation(now), unreadable=answer.kind == "other", optional=step.optional)
                return
        try:
            value = unsure["value"] if said else step.read(answer, t, now, answers)
            step.check(value, answers, now)
        except Unsure as reading:
            conversation.answers = {**answers, UNSURE: {"step": step.name, "value": reading.value}}
            self._ask_unsure(ctx, reading)
            return
        except Invalid as problem:
            await self._reask(ctx, problem, unreadable=answer.kind == "other", optional=step.optional)
            return
        answers[step.name] = value
        conversation.answers = answers
        if step.on_answer is not None:
            await step.on_answer(ctx, value)
            if ctx.conversation is None:  # the answer ended the dialogue (what it was about has closed)
                return
        await self._advance(ctx, flow, step.name)

    async def _answer_back(self, ctx: Context, step: Step) -> None:
        """A question asked back ("bedoel je wat ik wil veranderen?"): an example, and the same question."""
        t = ctx.t
        assert step.example is not None  # only a step with an example answers a question back
        text = t(N_("Goede vraag! Een voorbeeld van een antwoord: “{example}”"), example=t(step.example))
        await self.render(ctx, prefix=text + "\n" + t(N_("Was je vraag toch je antwoord? Typ dan ja.")))

    @staticmethod
    def _yes_or_no(answer: Answer) -> bool | None:
        """A yes or no, tapped or typed; None for anything else (a new answer)."""
        if answer.kind == "tap":
            return {"yes": True, "no": False}.get(answer.value or "")
        return yes_or_no(answer.text) if answer.kind == "text" else None

    def _ask_unsure(self, ctx: Context, reading: Unsure) -> None:
        """Ask whether an answer means what it was read as, with yes and no."""
        conversation, t = ctx.conversation, ctx.t
        assert conversation is not None
        conversation.token = token = new_token()
        ctx.send(
            Question(
                reading.text(t, ctx.surface),
                (
                    Button(t(N_("Ja")), Action.of(ROUTE, "answer", token, "yes"), style="primary"),
                    Button(t(N_("Nee")), Action.of(ROUTE, "answer", token, "no")),
                ),
            )
        )

    async def _reask(self, ctx: Context, problem: Invalid, unreadable: bool = False, optional: bool = False) -> None:
        """Say what was expected and ask the same step again; nothing entered is lost. The way out
        named is skipping, where the step may be skipped (stopping would throw every answer away)."""
        t, surface = ctx.t, ctx.surface
        way_out = N_("Heb je er geen? Kies dan Overslaan.") if optional else surface.hint("cancel")
        text = problem.text(t, surface) + (" " + t(way_out) if way_out else "")
        if unreadable:
            text = t(N_("Dit soort bericht kan ik hier niet lezen.")) + " " + text
        echo = problem.values.get("echo")
        await self.render(ctx, prefix=text, echo=str(echo) if echo else None, hinted=problem.expected is not None)

    async def _advance(self, ctx: Context, flow: Flow, current: str) -> None:
        conversation = ctx.conversation
        assert conversation is not None
        answers = conversation.answers
        from_summary = Position.of(conversation).from_summary
        following = None if from_summary else self._following(flow, current, answers)
        if following is None and from_summary:
            # An edit can make later steps apply that were never asked: ask those first.
            following = next((s for s in flow.asked(answers) if s.name not in answers), None)
        if following is not None:
            Position.asking(following.name, from_summary=from_summary).write(conversation)
            await self.render(ctx)
        elif flow.confirm:
            AT_SUMMARY.write(conversation)
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
        assert ctx.conversation is not None
        said = yes_or_no(answer.text) if verb is None and answer.kind == "text" else None
        if said is not None:  # "ja", "oké", "👍" to "Klopt dit?": it does; "nee": something to change
            verb = "ok" if said else "change"
        elif verb is None:
            verb = self._typed_choice(
                answer, ctx.t, (("ok", N_("Klopt")), ("change", N_("Aanpassen")), ("stop", N_("Stoppen")))
            )
        if verb == "ok":
            problems = flow.validate(ctx.conversation.answers, ctx.local_now)
            if problems:
                name, problem = next(iter(problems.items()))
                Position.asking(name, from_summary=True).write(ctx.conversation)
                await self.render(ctx, prefix=problem.text(ctx.t, ctx.surface))
                return
            await self._finish(ctx, flow)
        elif verb == "change":
            AT_EDIT.write(ctx.conversation)
            await self.render(ctx)
        elif verb == "stop" and self.has_typed(ctx.conversation):  # "Stoppen" beside "Klopt" reads like "done"
            self._ask_to_stop(ctx)
        elif verb == "stop":
            await self.cancel(ctx)
        else:
            await self._reask(ctx, Invalid(N_("Kies Klopt, Aanpassen of Stoppen.")), answer.kind == "other")

    async def _on_edit_list(self, ctx: Context, flow: Flow, answer: Answer) -> None:
        assert ctx.conversation is not None
        names = {step.name: step for step in flow.applicable(ctx.conversation.answers)}
        value = (
            answer.value
            if answer.kind == "tap"
            else self._typed_choice(answer, ctx.t, [(name, step.label) for name, step in names.items()])
        )
        if value is None or value not in names:
            await self._reask(ctx, Invalid(expected="choice"), answer.kind == "other")
            return
        Position.asking(value, from_summary=True).write(ctx.conversation)
        await self.render(ctx)

    @staticmethod
    def _typed_choice(answer: Answer, t: Translator, choices: Sequence[tuple[str, str]]) -> str | None:
        """The choice typed by its label or near it; None when it names none, or several."""
        if answer.kind != "text":
            return None
        found = choose(answer.text, [t(label) for _, label in choices])
        return choices[found[0]][0] if len(found) == 1 else None

    async def _finish(self, ctx: Context, flow: Flow) -> None:
        assert ctx.conversation is not None
        # Answers to steps that no longer apply (after an edit) are left out.
        applicable = {step.name for step in flow.applicable(ctx.conversation.answers)}
        answers = {
            key: value
            for key, value in ctx.conversation.answers.items()
            if (key in applicable or key.startswith("_")) and key != ASKED
        }
        await ctx.conversations.end(ctx.conversation)
        ctx.conversation = None
        with answering_expired(ctx):
            await flow.on_done(ctx, answers)

    # -- navigation ------------------------------------------------------------------------

    async def navigate(self, ctx: Context, *, command: str) -> None:
        """One of the dialogue's own commands (the Dutch name of a NAVIGATION entry)."""
        if ctx.conversation is None:
            ctx.say(ctx.t(N_("Er loopt nu geen vraag. Kies hieronder wat je wilt doen.")))
            await self.menu(ctx)
        elif command == "annuleer" and self.has_typed(ctx.conversation):
            self._ask_to_stop(ctx)
        elif command == "annuleer":
            await self.stop(ctx)
        elif command == "terug":
            await self.back(ctx)
        else:
            await self.skip(ctx)

    @staticmethod
    def _ask_to_stop(ctx: Context) -> None:
        """Before answers are thrown away: ask, in a question of its own (the dialogue's is not
        shown again under it)."""
        t = ctx.t
        ctx.send(
            Question(
                t(N_("Wat je al invulde, bewaar ik dan niet. Wil je stoppen?")),
                (
                    Button(t(N_("Ja, stoppen")), Action.of(SWITCH, STOP)),
                    Button(t(N_("Nee, ga verder")), Action.of(SWITCH, "")),
                ),
            )
        )

    async def back(self, ctx: Context) -> None:
        """Go one step back (from the edit list, or a step changed from the summary: back to the summary)."""
        conversation, t = ctx.conversation, ctx.t
        assert conversation is not None
        flow = self.flows[conversation.flow]
        position = Position.of(conversation)
        if position.from_summary or position.at is At.EDIT:
            AT_SUMMARY.write(conversation)
            await self.render(ctx)
            return
        previous = flow.before(position.step, conversation.answers)
        if previous is None:
            await self.render(ctx, prefix=t(N_("Dit is de eerste vraag.")))
            return
        Position.asking(previous.name).write(conversation)
        await self.render(ctx)

    async def skip(self, ctx: Context) -> None:
        """Skip the current step when it is optional."""
        conversation, t = ctx.conversation, ctx.t
        assert conversation is not None
        flow = self.flows[conversation.flow]
        position = Position.of(conversation)
        step = flow.step(position.step, conversation.answers) if position.step in flow.steps_by_name else None
        if step is None or not step.optional:
            await self.render(ctx, prefix=t(N_("Deze vraag kun je niet overslaan.")))
            return
        conversation.answers = {**conversation.answers, step.name: None}
        await self._advance(ctx, flow, step.name)

    def has_typed(self, conversation: Conversation) -> bool:
        """Whether the person already wrote answers in a flow that ends in a summary (worth asking
        before dropping them; a one-field change such as the profile's is not)."""
        flow = self.flows[conversation.flow]
        return (
            flow.confirm
            and not flow.kept
            and any(not empty(value) for key, value in conversation.answers.items() if not key.startswith("_"))
        )

    async def cancel(self, ctx: Context) -> None:
        """Stop the dialogue; nothing of it is saved."""
        assert ctx.conversation is not None
        flow = self.flows[ctx.conversation.flow]
        await ctx.conversations.end(ctx.conversation)
        ctx.conversation = None
        ctx.say(ctx.t(flow.cancelled))

    async def stop(self, ctx: Context) -> None:
        """Stop the dialogue, then show what can be done next."""
        await self.cancel(ctx)
        await self.menu(ctx)

    # -- switching to something else -------------------------------------------------------

    def ask_to_switch(self, ctx: Context, command: str) -> None:
        """A command that starts a dialogue of its own, given mid-dialogue: ask before dropping this one."""
        self._offer_switch(ctx, Action.of(SWITCH, command))

    def _ask_to_replace(self, ctx: Context, tapped: Action) -> None:
        """A button that starts a dialogue, tapped while another is in progress: ask first."""
        self._offer_switch(ctx, Action.of(SWITCH, TAP, tapped.route, tapped.verb, *tapped.args))

    @staticmethod
    def _offer_switch(ctx: Context, switch: Action) -> None:
        t = ctx.t
        ctx.say(
            t(N_("Je bent nog bezig met een andere vraag. Wil je daarmee stoppen en iets nieuws beginnen?")),
            [Button(t(N_("Ja, iets nieuws")), switch), Button(t(N_("Nee, ga verder")), Action.of(SWITCH, ""))],
        )

    async def switch(self, ctx: Context, switch: Action) -> None:
        """The answer to a SWITCH button: stop after all ("Ja, stoppen"), drop this dialogue for
        the command or button it carries ("Ja, iets nieuws"), or go on ("Nee, ga verder")."""
        if switch.verb == STOP and ctx.conversation is not None:
            await self.stop(ctx)
            return
        with answering_expired(ctx):
            if switch.verb == TAP:  # a button from an old message
                run = await self.runnable(ctx, Action(switch.arg(0), switch.arg(1), switch.args[2:]))
                if run is None:
                    raise Expired()
            else:
                run = await self.runnable(ctx, switch.verb) if switch.verb else None
                if run is None:  # "go on", or a forged button
                    await (self.render(ctx) if ctx.conversation is not None else self.menu(ctx))
                    return
            if ctx.conversation is not None:
                await self.cancel(ctx)  # says what it stopped
            await run(ctx)
