"""What a channel draws for a reply it has no drawing of its own for: at worst every reply is a
message with buttons (a card, a dashboard, a form's summary, field errors, a notice), a button
that asks before it acts (`Confirm`) asks in a message with two buttons of its own, and where only
a line of text fits (a notification) a card reads as one sentence with its labels (`summary`)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.replies import (
    Action,
    Button,
    Card,
    Confirm,
    Dashboard,
    Document,
    FieldErrors,
    Form,
    Message,
    Notice,
    Reply,
)

# The "no" of a confirmation: the channel that asked answers it itself, and the core never sees it.
NEVER_MIND = Action.of("-", "no")

BASIC: frozenset[type] = frozenset({Message, Document})  # every channel draws these two itself


def fallback(reply: Reply) -> Message | Document:
    """The reply as a message (with the buttons it has), or the file it is."""
    if isinstance(reply, (Message, Document)):
        return reply
    if isinstance(reply, Card):
        return Message(reply.text, reply.buttons, multi=reply.multi, replace=reply.replace, to=reply.to)
    if isinstance(reply, Dashboard):
        return Message(reply.text, reply.buttons, to=reply.to)
    if isinstance(reply, Form):
        return Message(reply.text, to=reply.to)  # its summary: a chat asks the same flow step by step
    if isinstance(reply, (FieldErrors, Notice)):
        return Message(reply.text)
    raise TypeError(f"no fallback for {type(reply).__name__}")


def drawable(replies: Iterable[Reply], draws: frozenset[type]) -> list[Reply]:
    """The replies with each kind a channel does not draw (`draws`) in its fallback."""
    kinds = tuple(draws)
    return [reply if isinstance(reply, kinds) else fallback(reply) for reply in replies]


def confirmation(confirm: Confirm, button: Button) -> Message:
    """A button's second question as a message: its yes does the button's work, its no nothing."""
    question = f"{confirm.title}\n{confirm.text}" if confirm.text else confirm.title
    return Message(
        question,
        (
            Button(confirm.yes, button.action, button.style),
            Button(confirm.no, NEVER_MIND, navigation=True),
        ),
    )


def summary(reply: Reply) -> str:
    """The reply where only text fits (a notification, a screen reader): a card as one line, its lead
    and title, then each fact with its label ("Thema: Erfgoed · Plaats: Marke"); the others' text."""
    if isinstance(reply, Document):
        return reply.caption
    if not isinstance(reply, Card):
        return reply.text
    facts = [
        f"{line.label}: {line.value}" if line.label else f"{line.icon} {line.value}".strip() for line in reply.lines
    ]
    title = f"{reply.icon} {reply.title}" if reply.icon else reply.title
    sentence = " ".join(part for part in (reply.lead, " · ".join([title, *facts])) if part)
    return " ".join(sentence.split())  # one line
