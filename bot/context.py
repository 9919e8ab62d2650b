"""What a handler works with: a `Scope` (a session, a reader, a clock) and, for a turn, its `Context`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.i18n import Translator, translator
from bot.replies import Button, Message, Notice, Replace, Reply, Room
from bot.surfaces import CHAT, Surface
from storage.repositories import Audit, Calls, Conversations, Ideas, Offers, People, Projects, Relays, Roles, Sent

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.config import Settings
    from bot.events import Inbound
    from storage.models import Base, Conversation, Identity, Person

Model = TypeVar("Model", bound="Base")


@dataclass
class Scope:
    """A database session, the settings, the moment, and whom it is about (for pushes too)."""

    session: AsyncSession
    settings: Settings
    now: datetime
    identity: Identity | None = None
    person: Person | None = None
    locale_hint: str | None = None
    surface: Surface = CHAT  # the reader's channel: how it asks, and how commands are typed there

    @property
    def t(self) -> Translator:
        """The reader's language; follows a language change within the same turn."""
        locale = self.person.locale if self.person else self.locale_hint
        return translator(locale, self.settings.timezone, self.surface.command, self.local_now.year)

    @property
    def known_person(self) -> Person:
        """The person this is about. Every handler past a stranger's may count on one; a stranger's
        turn, a push to a room and a turn that erased its person have none, and this raises."""
        if self.person is None:
            raise LookupError("no person here: a stranger's turn, a push to a room, or a person just erased")
        return self.person

    @property
    def known_identity(self) -> Identity:
        """The chat account of the person writing; missing where `known_person` is, and this raises."""
        if self.identity is None:
            raise LookupError("no identity here: a stranger's turn, a push to a room, or a person just erased")
        return self.identity

    @property
    def local_now(self) -> datetime:
        """The moment in the city's time zone (what steps and dates are checked against)."""
        return self.now.astimezone(ZoneInfo(self.settings.timezone))

    @property
    def today(self) -> date:
        return self.local_now.date()

    async def find(self, model: type[Model], row_id: int | None) -> Model | None:
        """The row whose id a button carried, or None (no id, or a forged one)."""
        return await self.session.get(model, row_id) if row_id is not None else None

    @cached_property
    def people(self) -> People:
        return People(self.session)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.session)

    @cached_property
    def ideas(self) -> Ideas:
        return Ideas(self.session)

    @cached_property
    def offers(self) -> Offers:
        return Offers(self.session)

    @cached_property
    def calls(self) -> Calls:
        return Calls(self.session)

    @cached_property
    def projects(self) -> Projects:
        return Projects(self.session)

    @cached_property
    def relays(self) -> Relays:
        return Relays(self.session)

    @cached_property
    def sent(self) -> Sent:
        return Sent(self.session)

    @cached_property
    def audit(self) -> Audit:
        return Audit(self.session)

    @cached_property
    def roles(self) -> Roles:
        return Roles(self.session)


class Dialogues(Protocol):
    """What a handler may ask of the dialogue engine (`bot.dialogue.Dialogue`): start a flow, or
    show the current step again. Written here because the engine's flows and steps take a
    `Context`: importing the engine would close a circle."""

    # `flow` is a `bot.dialogue.Flow`, typed Any so that this module imports nothing of the engine.
    async def start(
        self, ctx: Context, flow: Any, answers: dict[str, Any] | None = None, at_summary: bool = False
    ) -> None: ...

    async def render(self, ctx: Context, prefix: str | None = None) -> None: ...


@dataclass
class Context(Scope):
    """One inbound event and its dialogue; handlers answer through `say` and `send`."""

    # Every turn has both; keyword-only because the fields of `Scope` before them have defaults.
    event: Inbound = field(kw_only=True)
    dialogue: Dialogues = field(kw_only=True)
    conversation: Conversation | None = None
    # What the features have running for the person besides calls (`Part.running`), for "Wat loopt er?".
    running: Sequence[Callable[[Context], Awaitable[list[Reply]]]] = ()
    # What waits for a coordinator in each feature (`Part.waiting`): one reply per thing that waits.
    waiting: Sequence[Callable[[Context], Awaitable[list[Reply]]]] = ()
    replies: list[Reply] = field(default_factory=list)
    _roles: set[str] | None = field(default=None, repr=False)

    async def waiting_cards(self) -> list[Reply]:
        """Everything that waits for this person to act on, as the features declare it."""
        return [reply for listing in self.waiting for reply in await listing(self)]

    async def has_role(self, role: str) -> bool:
        """Whether the person writing holds `role` (read once per turn)."""
        if self.identity is None:
            return False
        if self._roles is None:
            self._roles = await self.roles.of(self.identity.channel, self.identity.external_id)
        return role in self._roles

    def say(
        self,
        text: str,
        buttons: list[Button] | tuple[Button, ...] = (),
        *,
        multi: bool = False,
        replace: Replace = None,
        to: Room | None = None,
        reply_to: str | None = None,
    ) -> None:
        self.replies.append(Message(text, tuple(buttons), multi=multi, replace=replace, to=to, reply_to=reply_to))

    def notice(self, text: str) -> None:
        self.replies.append(Notice(text))

    def send(self, reply: Reply) -> None:
        self.replies.append(reply)
