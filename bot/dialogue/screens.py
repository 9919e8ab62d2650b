"""What a dialogue shows where it stands: a step's question, the summary to confirm, the list of what to change.

Each screen is a text and its buttons, drawn from the flow, the answers so far and the render
token the buttons carry; nothing here reads or writes the database.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.dialogue.flow import Flow
from bot.dialogue.steps import ROUTE, Answers, MultiStep, Step, empty
from bot.i18n import N_, Translator
from bot.replies import Action, Button
from bot.surfaces import ASKED_WITH_HINT, Surface

Screen = tuple[str, list[Button]]


def new_token() -> str:
    """A fresh render token: buttons drawn before it are from an old message."""
    return secrets.token_hex(3)


def tap(token: str, verb: str, value: object = None) -> Action:
    """The action of a dialogue button (back, skip, ok, edit...)."""
    return Action.of(ROUTE, verb, token) if value is None else Action.of(ROUTE, verb, token, value)


def question(
    t: Translator,
    surface: Surface,
    now: datetime,
    flow: Flow,
    step: Step,
    answers: Answers,
    token: str,
    *,
    from_summary: bool,
    hinted: bool,
) -> Screen:
    """A step's question; `hinted` leaves out the channel's hint when the text above already gave it."""
    text = t(step.prompt)
    hint = surface.hint(step.kind) if step.kind in ASKED_WITH_HINT and not hinted else None
    if hint:
        text = t(hint, **step.hint_values(now)) + " " + text
    # Coming back to an answered step (back, edit, profile) shows what is there now.
    if not isinstance(step, MultiStep) and not empty(answers.get(step.name)):
        text += "\n\n" + t(N_("Nu: {value}"), value=step.show(answers[step.name], t))
    buttons = step.buttons(t, token, answers)
    if flow.before(step.name, answers) is not None or from_summary:
        buttons.append(Button(t(N_("Terug")), tap(token, "back"), navigation=True))
    if step.optional:
        buttons.append(Button(t(N_("Overslaan")), tap(token, "skip"), navigation=True))
    return text, buttons


def summary(t: Translator, flow: Flow, answers: Answers, token: str, extra: str | None) -> Screen:
    """Every answer that applies, `extra` lines worked out from them, and "Klopt dit?"."""
    lines = [t(flow.summary_title), ""]
    for step in flow.applicable(answers):
        value = answers.get(step.name)
        shown = step.show(value, t) if not empty(value) else t(step.skipped)
        lines.append("• " + t.labelled(t(step.label), shown))
    if extra:
        lines += ["", extra]
    lines += ["", t(N_("Klopt dit?"))]
    buttons = [
        Button(t(N_("Klopt")), tap(token, "ok"), style="primary"),
        Button(t(N_("Aanpassen")), tap(token, "change")),
        Button(t(N_("Stoppen")), tap(token, "stop"), style="danger"),
    ]
    return "\n".join(lines), buttons


def edit_list(t: Translator, flow: Flow, answers: Answers, token: str) -> Screen:
    """One button per answer that applies, to change it."""
    buttons = [Button(t(step.label), tap(token, "edit", step.name)) for step in flow.applicable(answers)]
    buttons.append(Button(t(N_("Terug")), tap(token, "back"), navigation=True))
    return t(N_("Wat wil je aanpassen?")), buttons
