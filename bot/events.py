"""Inbound events: what a person did, in terms every channel can produce."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "tap", "photo", "edited", "other"]


@dataclass(frozen=True)
class Inbound:
    """One thing a person did in a chat.

    `kind` is "text" for a typed message (commands included), "tap" for a button
    (`token` + `value`), "photo" for a picture (`photo` is the channel's file id),
    "edited" for a change to an earlier message, and "other" for anything the bot cannot
    read (a sticker, a voice note, a location...). `event_id`, when the channel has one,
    makes a redelivered event count once.
    """

    channel: str
    user_id: str
    kind: Kind
    text: str = ""
    token: str | None = None
    value: str | None = None
    photo: str | None = None
    display_name: str | None = None
    locale_hint: str | None = None
    event_id: str | None = None

    @property
    def command(self) -> str | None:
        """The command name without slash ("help" for "/help@Bot now"), or None."""
        if self.kind != "text" or not self.text.startswith("/"):
            return None
        word = self.text[1:].split(maxsplit=1)[0] if len(self.text) > 1 else ""
        return word.split("@", 1)[0].lower() or None

    @property
    def argument(self) -> str:
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if self.command and len(parts) > 1 else ""
