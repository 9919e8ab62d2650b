"""Replies as Telegram draws them: inline keyboards (answers two to a row, navigation last, a
multi-select's choices ticked) and texts cut to the Bot API's 4096 characters."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.replies import Action, Button, Message

ASK_FIRST = "?"  # callback data of a button that asks before it acts: the action's, after this mark


def callback_data(action: Action, mark: str = "") -> str:
    """What a button sends back when tapped: its action, within the Bot API's 64 bytes."""
    data = mark + action.encode()
    if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        raise ValueError(f"callback data over 64 bytes: {data!r}")
    return data


def keyboard(reply: Message) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard: answers two to a row when short, navigation last."""
    buttons = reply.buttons
    if not buttons:
        return None

    def button(b: Button) -> InlineKeyboardButton:
        label = f"✅ {b.label}" if reply.multi and b.selected else b.label
        data = callback_data(b.action, ASK_FIRST if b.confirm else "")
        return InlineKeyboardButton(label, callback_data=data)

    answers = [b for b in buttons if not b.navigation]
    navigation = [b for b in buttons if b.navigation]
    width = 2 if all(len(b.label) <= 16 for b in answers) else 1
    rows = [[button(b) for b in answers[i : i + width]] for i in range(0, len(answers), width)]
    if navigation:
        rows.append([button(b) for b in navigation])
    return InlineKeyboardMarkup(rows)


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut a long text into pieces under the limit, at paragraph, then line, then word ends."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces
