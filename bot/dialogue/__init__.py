"""The channel-neutral dialogue engine: flows made of steps, with their state in the database.

A flow is a value: a list of steps (free text, choice, multi-choice, number, date, photo)
and what to do with the answers. `steps` reads and checks one answer, `flow` holds the
rules over a whole set of answers (the chat, a form and the command line share them),
`position` is where a dialogue stands, `screens` draws it, and `engine` runs it. Here are
the names the rest of Gangmaker imports.
"""

from bot.dialogue.engine import Dialogue
from bot.dialogue.flow import FORM, PREFILLED, Flow
from bot.dialogue.position import EDIT, SUMMARY
from bot.dialogue.screens import new_token
from bot.dialogue.steps import (
    Answer,
    ChoiceStep,
    DateStep,
    DateTimeStep,
    Invalid,
    MultiStep,
    NumberStep,
    Option,
    PhotoStep,
    Step,
    TextStep,
    YesNoStep,
)

__all__ = [
    "EDIT",
    "FORM",
    "PREFILLED",
    "SUMMARY",
    "Answer",
    "ChoiceStep",
    "DateStep",
    "DateTimeStep",
    "Dialogue",
    "Flow",
    "Invalid",
    "MultiStep",
    "NumberStep",
    "Option",
    "PhotoStep",
    "Step",
    "TextStep",
    "YesNoStep",
    "new_token",
]
