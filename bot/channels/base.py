"""The channel contract: what a channel offers the core, and the little of the core it may use.

A channel turns its platform's messages into `Inbound` events, hands each to the core
(`Core.handle`) and draws the replies; the outbox's dispatcher hands it pushes (`push`, and
`push_room` for the shared rooms it `hosts`). Every channel is a `Channel` subclass in a folder
of its own, listed once in `bot.channels.registry`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol

from aiohttp import web

from bot.channels.fallbacks import BASIC, drawable
from bot.config import Settings
from bot.events import Inbound
from bot.metrics import Metrics
from bot.outbox import PushSender
from bot.replies import Reply
from bot.surfaces import CHAT, Surface

if TYPE_CHECKING:
    from bot.app import RoomSetting

# A route a channel adds to the bot's web server: method, path, handler (a webhook, say).
Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


class Core(Protocol):
    """What a channel may use of the core (`bot.core.Gangmaker` is one)."""

    metrics: Metrics  # replies sent, rate limits met, flood waits: per channel

    async def handle(self, event: Inbound) -> list[Reply]:
        """The replies to one event (one turn, in one transaction)."""

    async def keep_for_later(self, channel: str, user_id: str, replies: list[Reply]) -> bool:
        """Queue replies the platform would not take now; the outbox sends them again later."""

    async def set_reachable(self, channel: str, user_id: str, reachable: bool) -> None:
        """Mark a chat that blocked the bot, or that came back."""

    async def roles_of(self, channel: str, user_id: str) -> set[str]:
        """The roles the person holds (which shared rooms a console shows them)."""

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language the person reads, for what the channel says on its own (a goodbye); None
        for someone not known yet."""

    async def first_time(self, channel: str, key: str) -> bool:
        """Whether this key (a request's signature...) is new on the channel, recording it in the
        database every instance shares; False when it came before: a replay."""

    def listed_commands(self) -> list[tuple[str, str]]:
        """The commands a chat app lists in its menu: name and description msgid."""


class Channel(PushSender):
    """One platform around the core.

    What it offers: its `name` (the `Inbound.channel` of its events, and the key of its
    identities), its `surface` (how it asks), the reply kinds it `draws` itself (the others
    come as their fallback, see `drawable`), whether it shows a button's `Confirm` itself
    (`confirms`), whether the settings configure it (`configured`, and `needs` to say what
    would), the `routes` it adds to the web server, `start` and `stop`, and the pushes
    (`push`, `hosts`, `push_room`, `only_user`: see `PushSender`).
    It is built with the core, the settings and the application's shared rooms.
    """

    name: ClassVar[str]
    surface: ClassVar[Surface] = CHAT
    draws: ClassVar[frozenset[type]] = BASIC  # a message with buttons, and a file, at least
    confirms: ClassVar[bool] = False
    needs: ClassVar[str] = ""  # the setting that configures the channel, named in the command line's advice

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not BASIC <= cls.draws:
            raise TypeError(f"{cls.__name__} must draw messages and files itself")

    def __init__(self, core: Core, settings: Settings, rooms: Sequence[RoomSetting] = ()) -> None:
        self.core = core
        self.settings = settings

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        """Whether the settings configure this channel, so that `gangmaker serve` runs it."""
        return False

    def routes(self) -> Sequence[Route]:
        """What this channel adds to the bot's web server (a webhook); nothing by default."""
        return ()

    async def start(self) -> None:
        """Connect to the platform and begin taking events (after the web server is up)."""

    async def stop(self) -> None:
        """Stop taking events and let the turns in progress finish."""

    def drawable(self, replies: Iterable[Reply]) -> list[Reply]:
        """The replies as this channel draws them: each kind it has no drawing for as its fallback."""
        return drawable(replies, self.draws)


# How the assembly makes a channel: the class itself, or one with options bound (a console's terminal).
ChannelFactory = Callable[[Core, Settings, Sequence["RoomSetting"]], Channel]
