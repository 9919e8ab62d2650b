"""The buttons of the last message a chat got, kept with its identity (a restart keeps them), so
that a typed answer ("ja", "ik doe mee!") is the tap it names; `bot.core` routes it as that tap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.dialogue.steps import ROUTE as DIALOGUE
from bot.replies import Action, Button, Confirm, Document, Notice, Reply, buttons_of, room_of
from bot.typed import choose

if TYPE_CHECKING:
    from storage.models import Identity

KEPT = 40  # buttons kept at most (a long list of calls); a typed answer names one of the first
# What stands for a dialogue's own buttons: the dialogue reads answers to its question itself, so only
# that there is one is kept (and the row is not written again at every step).
QUESTION = ["", f"{DIALOGUE}|", None, None]


def _stored(button: Button) -> list[Any]:
    confirm = button.confirm
    kept_confirm = [confirm.title, confirm.text, confirm.yes, confirm.no] if confirm is not None else None
    return [button.label, button.action.encode(), button.style, kept_confirm]


def remember(identity: Identity | None, replies: Sequence[Reply]) -> None:
    """Keep the buttons of what this chat is shown now: those of every message to the person (a
    list of calls has a card each), none when these messages have none; passing remarks (a notice)
    and files leave the earlier ones as they were."""
    if identity is None:
        return
    own = [reply for reply in replies if not isinstance(reply, (Notice, Document)) and room_of(reply) is None]
    if not own:
        return
    buttons: list[Any] = []
    for button in (button for reply in own for button in buttons_of(reply)):
        stored = QUESTION if button.action.route == DIALOGUE else _stored(button)
        if stored is not QUESTION or QUESTION not in buttons:
            buttons.append(stored)
    buttons = buttons[:KEPT]
    if identity.buttons != (buttons or None):
        identity.buttons = buttons or None


def kept(identity: Identity | None) -> list[Button]:
    """The buttons remembered for this chat; none when nothing was kept or a kept one is unreadable."""
    found = []
    for item in (identity.buttons if identity is not None else None) or ():
        try:
            label, data, style, confirm = item
        except (TypeError, ValueError):
            return []
        action = Action.decode(data)
        if action is None or not isinstance(label, str):
            return []
        found.append(Button(label, action, style, confirm=Confirm(*confirm) if confirm else None))
    return found


def named(typed: str, buttons: Sequence[Button]) -> list[Button]:
    """The buttons a typed answer names: one when it is clear, several (one per action) when it
    could be any of them, none when it names none."""
    found: dict[Action, Button] = {}
    for index in choose(typed, [button.label for button in buttons]):
        found.setdefault(buttons[index].action, buttons[index])
    return list(found.values())
