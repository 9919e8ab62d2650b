"""The application description: what `handlers/` hands the core, so `bot/` knows no handler.

Commands with their aliases in every language, the routes of buttons, the flows, what a
stranger (someone who never consented) gets per channel, the outbox purposes with their
renderer, the scheduled checks, the pages it adds to the web server, and the shared rooms it
writes to. The core, the scheduler, the dispatcher, the channels and the web server read
everything they need from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.dialogue import Flow
from bot.outbox import Purpose
from bot.replies import Action, Reply

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.config import Settings
    from bot.context import Context, Scope
    from storage.models import OutboxMessage

COMMAND = "cmd"  # the route of a button that runs a command (a menu item); its verb is the command's name
Handler = Callable[["Context"], Awaitable[None]]
# What a stranger gets; True when it admitted them (set `ctx.identity`), so their event is then handled.
StrangerHandler = Callable[["Context"], Awaitable[bool | None]]
ButtonHandler = Callable[["Context", Action], Awaitable[None]]
Check = Callable[["AsyncSession", "Settings", datetime], Awaitable[int]]


def command_action(name: str) -> Action:
    """The action of a button that does what typing /name does."""
    return Action.of(COMMAND, name)


@dataclass(frozen=True)
class Command:
    """A slash command: its names (the first is the Dutch one, the others its aliases)."""

    names: tuple[str, ...]
    run: Handler
    description: str | None = None  # msgid for a chat app's command list; None keeps it off the list
    starts_dialogue: bool = False  # asks before it replaces a dialogue in progress
    role: str | None = None  # anyone without it gets the ordinary unknown-command answer
    for_strangers: Handler | None = None  # the answer before consent (default: the welcome)

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Route:
    """What handles the buttons of one route, and the role a person needs to use them."""

    handler: ButtonHandler
    role: str | None = None


@dataclass(frozen=True)
class PageContent:
    """What a page answers: its body, its type, and how long a browser or proxy may keep it."""

    body: str
    content_type: str = "text/html"
    max_age: int = 0  # seconds


@dataclass(frozen=True)
class Page:
    """A public page on the bot's web server (GET `path`), drawn from a `Scope` in the reader's
    language (`?lang=`, else the browser's Accept-Language); its session connects only when used."""

    path: str
    render: Callable[[Scope], Awaitable[PageContent]]


@dataclass(frozen=True)
class SharedRoom:
    """A room the application writes to for a group of people (its cards go there), and the name of
    the setting that places it on a platform with rooms (such as a Slack channel id)."""

    name: str
    setting: str


@dataclass(frozen=True)
class Application:
    """Everything the core needs to know about what Gangmaker does."""

    commands: Sequence[Command]
    flows: Sequence[Flow]
    routes: Mapping[str, Route]
    strangers: Mapping[str, StrangerHandler]  # by channel; "*" for every other channel
    menu: Handler  # what "nothing in progress, here is what you can do" looks like
    not_understood: Handler
    unknown_command: Handler
    purposes: Sequence[Purpose]
    render_push: Callable[[Scope, OutboxMessage], Awaitable[list[Reply]]]
    checks: Sequence[Check] = ()
    bootstrap_roles: Callable[[Settings], Sequence[tuple[str, str, str]]] = lambda settings: ()
    cli: Sequence[Any] = ()  # click commands the application adds to `gangmaker`
    home: Handler | None = None  # what a person's dashboard (Slack's App Home) shows; the menu when None
    # A message that answers one of the bot's (a Slack thread); True when it was taken care of.
    on_reply: Callable[[Context], Awaitable[bool]] | None = None
    # The menu's buttons (command name, label msgid): their label typed outside a dialogue works as a tap.
    menu_items: Sequence[tuple[str, str]] = ()
    pages: Sequence[Page] = ()  # public pages on the web server, next to /healthz and the channels' routes
    rooms: Sequence[SharedRoom] = ()  # where `Room(name)` replies go; each channel places them as it can
    by_name: dict[str, Command] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {name: command for command in self.commands for name in command.names})

    def stranger(self, channel: str) -> StrangerHandler:
        return self.strangers.get(channel) or self.strangers["*"]

    def listed(self) -> list[tuple[str, str]]:
        """The commands a chat app may list in its menu: name and description msgid."""
        return [(command.name, command.description) for command in self.commands if command.description]
