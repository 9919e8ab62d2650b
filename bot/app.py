"""The application description: what `handlers/` hands the core, so `bot/` knows no handler.

Each feature declares one `Part`: its commands with their aliases in every language, the routes
of its buttons, its flows, its pushes (each outbox purpose beside its renderer), its scheduled
checks, its command-line commands, its public pages (and the page for an unknown address), the
shared rooms it writes to (and who reads them), what it has running for a person and what waits
for a coordinator.
`Application.of` joins the parts into
the one description the core, the scheduler, the dispatcher, the channels and the web server
read, and refuses a command name, route, flow, purpose or page declared twice.
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
Renderer = Callable[["Scope", "OutboxMessage"], Awaitable[list[Reply]]]
# What a feature has running for the person now (open question rounds...), shown by "Wat loopt er?".
Listing = Callable[["Context"], Awaitable[list[Reply]]]
# What waits for the person to act on (a coordinator's ideas to moderate, partners' calls to
# approve...): one reply per thing that waits, each with its buttons; none when nothing waits.
Waiting = Callable[["Context"], Awaitable[list[Reply]]]
# A role the settings grant at start: (channel, user id, role), or with the name of the
# organisation it is held for (made when missing) as a fourth.
Grant = tuple[str, str, str] | tuple[str, str, str, str]
# Flows whose steps depend on the settings (the longest text a person may type) are built from them.
FlowSource = Flow | Callable[["Settings"], Flow | Sequence[Flow]]


def repeating(check: Check) -> Check:
    """Mark a check that does one batch a run: the scheduler runs it again, each time in a fresh
    transaction, until it does nothing."""
    check.__dict__["repeat"] = True
    return check


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
    # The answer before consent (default: the welcome): the whole turn, even when it admits them.
    for_strangers: StrangerHandler | None = None

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


PageRender = Callable[["Scope"], Awaitable[PageContent]]


@dataclass(frozen=True)
class Page:
    """A public page on the bot's web server (GET `path`), drawn from a `Scope` in the reader's
    language (`?lang=`, else the browser's Accept-Language); its session connects only when used.
    It is served with a policy that allows no script and styles only from the bot's own server
    (a stylesheet is a page of its own, `text/css`): no `<style>` block, no `style=` attribute."""

    path: str
    render: PageRender


@dataclass(frozen=True)
class RoomSetting:
    """A room the application writes to for a group of people (its cards go there), and the name of
    the setting that places it on a platform with rooms (such as a Slack channel id)."""

    name: str
    setting: str
    readers: str | None = None  # the role whose holders read it (a console shows it to them); None: anyone


@dataclass(frozen=True)
class Push:
    """A reason to write on one's own (`purpose`) and what is then said: the replies for one
    outbox row, or none when it is no longer relevant (the call was cancelled)."""

    purpose: Purpose
    render: Renderer


@dataclass(frozen=True)
class Part:
    """What one feature adds to the application. The answers there is only one of (the menu,
    what a stranger gets...) may be given by one part only."""

    name: str
    commands: Sequence[Command] = ()
    routes: Mapping[str, Route] = field(default_factory=dict)
    flows: Sequence[FlowSource] = ()
    pushes: Sequence[Push] = ()
    checks: Sequence[Check] = ()
    cli: Sequence[Any] = ()  # click commands added to `gangmaker`
    pages: Sequence[Page] = ()
    menu_items: Sequence[tuple[str, str]] = ()
    strangers: Mapping[str, StrangerHandler] = field(default_factory=dict)
    menu: Handler | None = None
    not_found: PageRender | None = None  # the page for an address the web server does not know
    not_understood: Handler | None = None
    unknown_command: Handler | None = None
    home: Handler | None = None
    on_reply: Callable[[Context], Awaitable[bool]] | None = None
    consented: Callable[[Context], Awaitable[bool]] | None = None
    bootstrap_roles: Callable[[Settings], Sequence[Grant]] | None = None
    rooms: Sequence[RoomSetting] = ()
    running: Sequence[Listing] = ()
    waiting: Sequence[Waiting] = ()  # what waits for a coordinator, gathered by the waiting list


class DuplicateDeclaration(ValueError):
    """Two parts declare the same command name, route, flow, purpose, check, page, room or single answer."""


class MissingDeclaration(ValueError):
    """No part declares an answer every application needs (the menu...)."""


def _once(kind: str, named: Sequence[tuple[str, str]]) -> None:
    """Refuse a name that two declarations share; `named` holds (name, part) pairs."""
    seen: dict[str, str] = {}
    for name, part in named:
        if name in seen:
            raise DuplicateDeclaration(f"{kind} {name!r} is declared by {seen[name]} and by {part}")
        seen[name] = part


def _needed(given: Mapping[str, Handler | None], answer: str) -> Handler:
    """The single answer `answer` a part declared; every application has one."""
    handler = given[answer]
    if handler is None:
        raise MissingDeclaration(f"no part declares the answer {answer!r}")
    return handler


def _flows(part: Part, settings: Settings) -> list[Flow]:
    built: list[Flow] = []
    for source in part.flows:
        made = source if isinstance(source, Flow) else source(settings)
        built += [made] if isinstance(made, Flow) else list(made)
    return built


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
    bootstrap_roles: Callable[[Settings], Sequence[Grant]] = lambda settings: ()
    cli: Sequence[Any] = ()  # click commands the application adds to `gangmaker`
    home: Handler | None = None  # what a person's dashboard (Slack's App Home) shows; the menu when None
    # A message that answers one of the bot's (a Slack thread); True when it was taken care of.
    on_reply: Callable[[Context], Awaitable[bool]] | None = None
    # Whether a known person's consent still covers this turn; False when it answered them instead
    # (asked for it again). None: everyone known goes on.
    consented: Callable[[Context], Awaitable[bool]] | None = None
    # The menu's buttons (command name, label msgid): their label typed outside a dialogue works as a tap.
    menu_items: Sequence[tuple[str, str]] = ()
    pages: Sequence[Page] = ()  # public pages on the web server, next to /healthz and the channels' routes
    not_found: PageRender | None = None  # the page for an unknown address (GET); aiohttp's plain 404 when None
    rooms: Sequence[RoomSetting] = ()  # where `Room(name)` replies go; each channel places them as it can
    running: Sequence[Listing] = ()  # what "Wat loopt er?" shows besides the calls, in the parts' order
    waiting: Sequence[Waiting] = ()  # what waits for a coordinator, in the parts' order
    by_name: dict[str, Command] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {name: command for command in self.commands for name in command.names})

    @classmethod
    def of(cls, parts: Sequence[Part], settings: Settings) -> Application:
        """The application made of `parts`, in their order; a name declared twice stops the start."""
        flows = {part.name: _flows(part, settings) for part in parts}
        _once("command", [(name, p.name) for p in parts for command in p.commands for name in command.names])
        _once("route", [(route, p.name) for p in parts for route in p.routes])
        _once("flow", [(flow.name, name) for name, built in flows.items() for flow in built])
        _once("purpose", [(push.purpose.name, p.name) for p in parts for push in p.pushes])
        _once("check", [(check.__name__, p.name) for p in parts for check in p.checks])  # the scheduler counts by name
        _once("page", [(page.path, p.name) for p in parts for page in p.pages])
        _once("room", [(room.name, p.name) for p in parts for room in p.rooms])
        _once("menu item", [(item, p.name) for p in parts for item, _label in p.menu_items])
        _once("stranger answer for", [(channel, p.name) for p in parts for channel in p.strangers])
        singles = (
            "menu",
            "not_understood",
            "unknown_command",
            "home",
            "on_reply",
            "consented",
            "bootstrap_roles",
            "not_found",
        )
        _once("the answer", [(single, p.name) for p in parts for single in singles if getattr(p, single)])
        given = {single: next((getattr(p, single) for p in parts if getattr(p, single)), None) for single in singles}
        renderers = {push.purpose.name: push.render for part in parts for push in part.pushes}

        async def render_push(scope: Scope, row: OutboxMessage) -> list[Reply]:
            return await renderers[row.purpose](scope, row)

        return cls(
            commands=[command for part in parts for command in part.commands],
            flows=[flow for built in flows.values() for flow in built],
            routes={route: handler for part in parts for route, handler in part.routes.items()},
            strangers={channel: answer for part in parts for channel, answer in part.strangers.items()},
            purposes=[push.purpose for part in parts for push in part.pushes],
            render_push=render_push,
            checks=[check for part in parts for check in part.checks],
            cli=[command for part in parts for command in part.cli],
            pages=[page for part in parts for page in part.pages],
            menu_items=[item for part in parts for item in part.menu_items],
            bootstrap_roles=given["bootstrap_roles"] or (lambda settings: ()),
            menu=_needed(given, "menu"),
            not_understood=_needed(given, "not_understood"),
            unknown_command=_needed(given, "unknown_command"),
            home=given["home"],
            not_found=given["not_found"],
            on_reply=given["on_reply"],
            consented=given["consented"],
            rooms=[room for part in parts for room in part.rooms],
            running=[listing for part in parts for listing in part.running],
            waiting=[listing for part in parts for listing in part.waiting],
        )

    def stranger(self, channel: str) -> StrangerHandler:
        return self.strangers.get(channel) or self.strangers["*"]

    def listed(self) -> list[tuple[str, str]]:
        """The commands a chat app may list in its menu: name and description msgid."""
        return [(command.name, command.description) for command in self.commands if command.description]
