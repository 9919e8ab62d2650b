"""The context of one turn: who wrote, their dialogue, the database session, and the replies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator, translator
from bot.replies import Button, Message, Notice, Reply
from storage.repositories import Audit, Conversations, Ideas, Offers, People

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.config import Settings
    from bot.dialogue import Dialogue
    from bot.events import Inbound
    from storage.models import Conversation, Identity, Person


@dataclass
class Context:
    """Everything a handler needs for one inbound event; handlers talk through `say`."""

    session: AsyncSession
    settings: Settings
    dialogue: Dialogue
    event: Inbound
    now: datetime
    identity: Identity | None = None
    person: Person | None = None
    conversation: Conversation | None = None
    replies: list[Reply] = field(default_factory=list)

    @property
    def t(self) -> Translator:
        """The reader's language; follows a language change within the same turn."""
        locale = self.person.locale if self.person else self.event.locale_hint
        return translator(locale, self.settings.timezone)

    @property
    def is_coordinator(self) -> bool:
        """Coordinators are named in the settings, per channel."""
        identity = self.identity
        if identity is None:
            return False
        if identity.channel == "telegram":
            return identity.external_id in {str(i) for i in self.settings.coordinator_telegram_ids}
        return identity.channel == "console" and identity.external_id in self.settings.coordinator_console_users

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.settings.timezone)).date()

    async def find(self, model: type, text_id: str) -> Any:
        """The row whose id a button carried as text, or None for anything else."""
        return await self.session.get(model, int(text_id)) if text_id.isdigit() else None

    def say(self, text: str, buttons: list[Button] | tuple[Button, ...] = (), *, token: str | None = None,
            multi: bool = False, edit: bool = False) -> None:
        self.replies.append(Message(text, tuple(buttons), token=token, multi=multi, edit=edit))

    def notice(self, text: str) -> None:
        self.replies.append(Notice(text))

    def send(self, reply: Reply) -> None:
        self.replies.append(reply)

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
    def audit(self) -> Audit:
        return Audit(self.session)
