"""Channel-neutral replies: what a handler says, for each channel to draw in its own way.

A chat channel draws every reply as text with buttons (each type has a `text` drawing);
a channel with richer surfaces (Slack's Block Kit, modals, App Home) reads the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SEPARATOR = "|"


@dataclass(frozen=True)
class Action:
    """What a button does: a route (which handler), a verb, and what it is about.

    One codec for every channel: `encode` gives a short string ("call|join|12") that fits
    Telegram's 64 bytes of callback data and Slack's action values; `decode` reads it back.
    """

    route: str
    verb: str = ""
    args: tuple[str, ...] = ()

    @classmethod
    def of(cls, route: str, verb: object = "", *args: object) -> Action:
        return cls(route, str(verb), tuple(str(arg) for arg in args))

    def encode(self) -> str:
        parts = (self.route, self.verb, *self.args)
        if any(SEPARATOR in part for part in parts):
            raise ValueError(f"an action part holds {SEPARATOR!r}: {parts!r}")
        return SEPARATOR.join(parts)

    @classmethod
    def decode(cls, data: str | None) -> Action | None:
        """The action in `data`, or None for anything that is not one of ours."""
        parts = (data or "").split(SEPARATOR)
        if len(parts) < 2 or not parts[0]:
            return None
        return cls(parts[0], parts[1], tuple(parts[2:]))

    def arg(self, index: int = 0) -> str:
        return self.args[index] if index < len(self.args) else ""

    @property
    def id(self) -> int | None:
        """The first argument as a row id, or None when it is not a number (a forged button)."""
        first = self.arg(0)
        # isdecimal, not isdigit: "²" is a digit that int() refuses; under 10 digits fits any id column.
        return int(first) if first.isdecimal() and len(first) < 10 else None


@dataclass(frozen=True)
class Confirm:
    """A second question before a risky button does its work (Slack shows a dialog)."""

    title: str
    text: str
    yes: str
    no: str


ButtonStyle = Literal["primary", "danger"]  # how a channel may stress a button


@dataclass(frozen=True)
class Button:
    """A tap-able answer carrying a typed action."""

    label: str
    action: Action
    style: ButtonStyle | None = None
    confirm: Confirm | None = None
    selected: bool = False  # only meaningful in a multi-select
    navigation: bool = False  # back, skip, done: drawn apart from the answers


@dataclass(frozen=True)
class Room:
    """A shared place many people read (one the application declares, such as a Slack channel); with
    a `message_id`, the message already there that a reply redraws."""

    name: str
    message_id: str | None = None


Replace = Literal["buttons", "message"] | None  # redraw the tapped message: its buttons, or all of it


@dataclass(frozen=True)
class Message:
    """Text with optional buttons, for the person who wrote or for a shared `to` room.

    A multi-select message (`multi`) shows its buttons as toggles; `replace` redraws the
    message that was tapped instead of sending a new one; `reply_to` (the platform id of an
    earlier message) continues that message's thread where the channel has threads.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    multi: bool = False
    replace: Replace = None
    to: Room | None = None
    reply_to: str | None = None


@dataclass(frozen=True)
class FormField:
    """One field of a form, or the question a dialogue step asks.

    `kind` is text, number, date, datetime, choice, multi, yesno or photo; `options` are
    (value, label) pairs; `minimum`/`maximum` bound a number or a text's length.
    """

    name: str
    label: str
    kind: str
    prompt: str = ""
    options: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    value: Any = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Question(Message):
    """A dialogue step: the text and buttons to answer it, and what kind of answer it wants."""

    field: FormField | None = None


@dataclass(frozen=True)
class CardLine:
    """One fact on a card; `icon` leads it in text, `label` names it where there is room."""

    value: str
    label: str = ""
    icon: str = ""

    @property
    def text(self) -> str:
        """The fact as a line of text: its icon leads it, or else its label names it ("Thema: Erfgoed")."""
        if self.icon:
            return f"{self.icon} {self.value}"
        return f"{self.label}: {self.value}" if self.label else self.value


@dataclass(frozen=True)
class Card:
    """Something to act on, such as a call: title, facts, an optional image, and actions."""

    title: str
    lines: tuple[CardLine, ...] = ()
    buttons: tuple[Button, ...] = ()
    icon: str = ""
    lead: str = ""  # a sentence above the card ("something changed")
    footer: str = ""
    image: str | None = None
    replace: Replace = None
    to: Room | None = None
    multi: bool = False

    @property
    def text(self) -> str:
        lines = [self.lead, ""] if self.lead else []
        lines.append(f"{self.icon} {self.title}" if self.icon else self.title)
        lines += [line.text for line in self.lines]
        if self.footer:
            lines += ["", self.footer]
        return "\n".join(lines)


@dataclass(frozen=True)
class Form:
    """A whole flow at once (a Slack modal); `submit` is the action its submission carries."""

    title: str
    fields: tuple[FormField, ...]
    submit: Action
    submit_label: str
    to: Room | None = None
    hidden: dict[str, Any] = field(default_factory=dict)  # what the flow carries along (the call being edited)

    @property
    def text(self) -> str:
        return "\n".join([self.title, ""] + [f"• {f.label}: {_shown(f.value)}" for f in self.fields])


@dataclass(frozen=True)
class FieldErrors:
    """What is wrong with a submitted form, per field name (each already translated)."""

    errors: dict[str, str]

    @property
    def text(self) -> str:
        return "\n".join(f"• {message}" for message in self.errors.values())


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    """A part of a dashboard. When its `cards` are the first of more (`total` in all), `more` says
    how many are shown and where the rest are, with {shown} and {total} left in it for the channel
    to fill: a channel may show fewer cards than it is given, to keep within its limits."""

    title: str
    figures: tuple[Figure, ...] = ()
    cards: tuple[Card, ...] = ()
    total: int | None = None
    more: str = ""

    def counted(self, shown: int) -> str:
        """What `more` says when `shown` of the cards are shown; nothing when all of them are."""
        total = len(self.cards) if self.total is None else self.total
        return self.more.format(shown=shown, total=total) if self.more and shown < total else ""


@dataclass(frozen=True)
class Dashboard:
    """An overview (Slack's App Home): sections of figures and cards with their actions."""

    title: str
    sections: tuple[Section, ...] = ()
    to: Room | None = None

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(button for section in self.sections for card in section.cards for button in card.buttons)

    @property
    def text(self) -> str:
        lines = [self.title]
        for section in self.sections:
            lines += ["", section.title]
            lines += [f"• {figure.label}: {figure.value}" for figure in section.figures]
            lines += [f"• {card.text}" for card in section.cards]
            lines += [counted] if (counted := section.counted(len(section.cards))) else []
        return "\n".join(lines)


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


Drawn = Message | Card | Form | FieldErrors | Dashboard  # what a chat draws as text (and buttons)
Reply = Drawn | Document | Notice


def buttons_of(reply: Reply) -> tuple[Button, ...]:
    """The buttons under a reply (a dashboard's are those of its cards); none for the other kinds."""
    return reply.buttons if isinstance(reply, (Message, Card, Dashboard)) else ()


def room_of(reply: Reply) -> Room | None:
    """The shared room a reply goes to; None for the person's own chat."""
    return reply.to if isinstance(reply, (Message, Card, Form, Dashboard)) else None


def is_multi(reply: Reply) -> bool:
    """Whether a reply's buttons are toggles of a multi-select."""
    return isinstance(reply, (Message, Card)) and reply.multi


def replacing(reply: Reply) -> Replace:
    """What of the tapped message a reply redraws in place, if anything."""
    return reply.replace if isinstance(reply, (Message, Card)) else None


def as_payload(replies: list[Reply]) -> list[dict[str, Any]]:
    """Replies as JSON, to be sent again later: each as its text with its buttons (a file, a
    toast or a form does not keep)."""
    return [
        {
            "text": reply.text,
            "multi": is_multi(reply),
            "buttons": [[b.label, b.action.encode(), b.style, b.selected, b.navigation] for b in buttons_of(reply)],
        }
        for reply in replies
        if not isinstance(reply, (Document, Notice, Form, FieldErrors))
    ]


def from_payload(payload: list[dict[str, Any]]) -> list[Reply]:
    """The replies `as_payload` kept, as messages."""
    return [
        Message(
            item["text"],
            tuple(
                Button(label, _kept(data), style, selected=selected, navigation=navigation)
                for label, data, style, selected, navigation in item["buttons"]
            ),
            multi=item["multi"],
        )
        for item in payload
    ]


def _kept(data: str) -> Action:
    """The action of a kept button: `as_payload` wrote it, so it is one of ours."""
    action = Action.decode(data)
    if action is None:
        raise ValueError(f"a kept button carries no action: {data!r}")
    return action


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def short(text: str, limit: int = 60) -> str:
    """The start of a long text, to name it in a list or a message."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
