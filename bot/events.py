"""Inbound events: what a person did, in terms every channel can produce."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.replies import Action

# Control characters other than tab, newline and carriage return mean nothing in a chat, and
# PostgreSQL refuses NUL in text: they are dropped from whatever a person typed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NAME_LENGTH = 64  # what is stored of the name a chat app gives (Telegram allows 64, Slack 80)


def clean(value: Any) -> Any:
    """A typed value without control characters (strings, and the strings in lists)."""
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


Kind = Literal["text", "command", "tap", "photo", "edited", "submit", "open", "other"]


@dataclass(frozen=True)
class Inbound:
    """One thing a person did in a chat.

    `kind` is "text" for a typed message (commands included), "command" for a slash command
    given outside a chat (Slack), "tap" for a button (`action`), "photo" for a picture
    (`photo` is the channel's file id), "edited" for a change to an earlier message,
    "submit" for a whole form (`action` and `values` by field name), "open" when a person
    opens their dashboard, and "other" for anything the bot cannot read (a sticker, a
    voice note...). `room` names the shared place it happened in, None for a private chat.
    `reply_to` is the platform id of the bot's message this one answers (a Slack thread).
    `event_id`, when the channel has one, makes a redelivered event count once.
    """

    channel: str
    user_id: str
    kind: Kind
    text: str = ""
    action: Action | None = None
    values: dict[str, Any] = field(default_factory=dict)
    photo: str | None = None
    display_name: str | None = None
    locale_hint: str | None = None
    room: str | None = None
    reply_to: str | None = None
    event_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean(self.text))
        object.__setattr__(self, "display_name", clean(self.display_name)[:NAME_LENGTH] if self.display_name else None)
        object.__setattr__(self, "values", {key: clean(value) for key, value in self.values.items()})

    @property
    def command(self) -> str | None:
        """The command name without slash ("help" for "/help@Bot now"), or None."""
        if self.kind not in ("text", "command") or not self.text.startswith("/"):
            return None
        words = self.text[1:].split(maxsplit=1)  # empty after "/" and only (Unicode) whitespace
        return words[0].split("@", 1)[0].lower() or None if words else None

    @property
    def argument(self) -> str:
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if self.command and len(parts) > 1 else ""
