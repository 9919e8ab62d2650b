"""Channel-neutral replies: what a handler says, for each channel to draw in its own way."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """A tap-able answer. `value` is a short id, never user text, so it fits any channel."""

    value: str
    label: str
    selected: bool = False  # only meaningful in a multi-select


@dataclass(frozen=True)
class Message:
    """Text with optional buttons.

    `token` ties the buttons to the dialogue step that drew them, so a tap on an old
    message can be recognised. A multi-select message (`multi`) shows its buttons as
    toggles; `edit` asks the channel to redraw the previous message in place.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    token: str | None = None
    multi: bool = False
    edit: bool = False


@dataclass(frozen=True)
class Document:
    """A file to hand to the person, such as their data export."""

    filename: str
    content: bytes
    mime_type: str
    caption: str = ""


@dataclass(frozen=True)
class Notice:
    """A short, passing remark on a button tap (Telegram shows it as a toast)."""

    text: str


Reply = Message | Document | Notice
