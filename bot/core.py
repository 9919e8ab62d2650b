"""The core every channel calls: one inbound event in, the replies out, in one transaction.

It finds who wrote, routes the event (consent, commands, buttons, the dialogue in
progress) and commits. Channels only translate their wire format to `Inbound` and draw
the returned replies.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot.config import Settings
from bot.context import Context
from bot.dialogue import Dialogue
from bot.events import Inbound
from bot.i18n import N_, translator
from bot.replies import Button, Message, Reply
from handlers import calls, menu, onboarding, pushes, registry
from storage.db import session_factory
from storage.models import Identity, OutboxMessage, Person, utcnow
from storage.repositories import Inbox, People

log = logging.getLogger(__name__)

SWITCH = "switch"  # token of "stop this dialogue and start that command?" buttons
STAY = "_stay"
NAVIGATION = {
    "annuleer": "cancel", "cancel": "cancel", "stop": "cancel", "annuler": "cancel",
    "terug": "back", "back": "back", "retour": "back",
    "overslaan": "skip", "skip": "skip", "passer": "skip",
}


class Gangmaker:
    """The channel-neutral bot: `await handle(event)` returns what to say back."""

    def __init__(self, settings: Settings, engine: AsyncEngine, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = session_factory(engine)
        self.clock = clock
        self.dialogue = Dialogue(registry.flows(settings.max_text_length))
        self.commands = {name: command for command in registry.commands() for name in command.names}
        self.buttons = registry.button_actions()
        self.coordinator_buttons = registry.coordinator_button_actions()
        # One event at a time per chat in this process; the version column guards across processes.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    async def handle(self, event: Inbound) -> list[Reply]:
        """Answer one event. Never raises for bad input: the person always gets an answer."""
        async with self._locks.setdefault((event.channel, event.user_id), asyncio.Lock()):
            for _attempt in range(3):
                try:
                    return await self._handle_once(event)
                except (StaleDataError, IntegrityError):
                    # Another instance answered this person at the same moment: try again on fresh state.
                    log.info("concurrent update for %s/%s, retrying", event.channel, event.user_id)
                except Exception:
                    log.exception("failed to handle %s event from %s", event.kind, event.channel)
                    break
            t = translator(event.locale_hint, self.settings.timezone)
            return [Message(t(N_("Sorry, er ging iets mis aan mijn kant. Probeer het zo nog eens.")))]

    async def set_reachable(self, channel: str, user_id: str, reachable: bool) -> None:
        """Record that a chat can (or, after a block, cannot) be written to."""
        async with self.sessions() as session, session.begin():
            identity = await People(session).identity(channel, user_id)
            if identity is not None:
                identity.reachable = reachable

    async def _handle_once(self, event: Inbound) -> list[Reply]:
        async with self.sessions() as session, session.begin():
            ctx = Context(session=session, settings=self.settings, dialogue=self.dialogue,
                          event=event, now=self.clock())
            if event.event_id is not None:
                inbox = Inbox(session)
                if await inbox.seen(event.channel, event.event_id):
                    return []  # delivered twice: answered the first time
                await inbox.mark(event.channel, event.event_id, ctx.now)
            ctx.identity = await ctx.people.identity(event.channel, event.user_id)
            if ctx.identity is None:
                await onboarding.before_consent(ctx)
                return ctx.replies
            ctx.person = ctx.identity.person
            ctx.person.last_active_at = ctx.now
            ctx.identity.reachable = True
            ctx.conversation = await ctx.conversations.of(ctx.person)
            await self._route(ctx)
            if ctx.conversation is not None and ctx.conversation in ctx.session:
                ctx.conversation.updated_at = ctx.now  # the nudge for unfinished onboarding counts from here
            return ctx.replies

    async def _route(self, ctx: Context) -> None:
        event = ctx.event
        name = event.command
        if name is not None:
            await self._command(ctx, name)
        elif event.kind == "tap" and event.token in self.buttons:
            await self.buttons[event.token](ctx, event.value or "")
        elif event.kind == "tap" and event.token in self.coordinator_buttons and ctx.is_coordinator:
            await self.coordinator_buttons[event.token](ctx, event.value or "")
        elif event.kind == "tap" and event.token == menu.MENU:
            await self._command(ctx, event.value or "menu")
        elif event.kind == "tap" and event.token == SWITCH:
            await self._switch(ctx, event.value or STAY)
        elif event.kind == "tap" and event.token == onboarding.CONSENT:
            ctx.notice(ctx.t(N_("Je zei al ja. Wil je dat ik alles wis? Typ /vergeet.")))
        elif event.kind == "edited":
            ctx.say(ctx.t(N_("Je hebt een bericht aangepast. Ik lees alleen nieuwe berichten. "
                             "Stuur je antwoord gerust opnieuw.")))
            if ctx.conversation is not None:
                await self.dialogue.render(ctx)
        elif ctx.conversation is not None:
            await self.dialogue.handle(ctx, event)
        elif event.kind == "tap":
            ctx.notice(ctx.t(N_("Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht.")))
        else:
            menu.not_understood(ctx)

    async def _command(self, ctx: Context, name: str) -> None:
        """Run a command; mid-dialogue, answer it and then return to the same question."""
        if name in NAVIGATION:
            await self._navigate(ctx, NAVIGATION[name])
            return
        if name == "start":
            await self._start(ctx)
            return
        command = self._allowed(ctx, name)
        if command is not None and command.starts_dialogue and ctx.conversation is not None:
            t = ctx.t
            ctx.say(t(N_("Je bent nog bezig met een andere vraag. Wil je daarmee stoppen en iets nieuws beginnen?")),
                    [Button(name, t(N_("Ja, iets nieuws"))), Button(STAY, t(N_("Nee, ga verder")))], token=SWITCH)
            return
        if command is None:
            menu.unknown_command(ctx)
        else:
            await command.run(ctx)
        if ctx.conversation is not None and not command_started_dialogue(ctx):
            await self.dialogue.render(ctx, prefix=ctx.t(N_("We gaan verder waar je was:")))

    async def _start(self, ctx: Context) -> None:
        """/start, optionally with a deep link ("/start c12" opens call 12)."""
        payload = ctx.event.argument
        if payload.startswith("c") and payload[1:].isdigit():
            await calls.show_call(ctx, int(payload[1:]))
        if ctx.conversation is not None:
            await self.dialogue.render(ctx, prefix=ctx.t(N_("Welkom terug! We waren hier gebleven:")))
        elif not payload:
            menu.show(ctx)

    async def render_push(self, session: AsyncSession, row: OutboxMessage, person: Person, identity: Identity,
                          now: datetime) -> list[Reply]:
        """The replies for one outbox row, in the person's language (used by the dispatcher)."""
        event = Inbound(channel=identity.channel, user_id=identity.external_id, kind="other")
        ctx = Context(session=session, settings=self.settings, dialogue=self.dialogue, event=event, now=now,
                      identity=identity, person=person)
        return await pushes.render(ctx, row)

    def _allowed(self, ctx: Context, name: str) -> registry.Command | None:
        """The command by this name, unless it is for coordinators and this person is not one."""
        command = self.commands.get(name)
        if command is not None and command.coordinators_only and not ctx.is_coordinator:
            return None
        return command

    async def _switch(self, ctx: Context, value: str) -> None:
        command = self._allowed(ctx, value)
        if command is None:  # "go on", or a forged button
            if ctx.conversation is not None:
                await self.dialogue.render(ctx)
            else:
                menu.show(ctx)
            return
        if ctx.conversation is not None:
            await ctx.conversations.end(ctx.conversation)
            ctx.conversation = None
        await command.run(ctx)

    async def _navigate(self, ctx: Context, action: str) -> None:
        if ctx.conversation is None:
            ctx.say(ctx.t(N_("Er loopt nu geen vraag. Kies hieronder wat je wilt doen.")))
            menu.show(ctx)
        elif action == "cancel":
            await self.dialogue.cancel(ctx)
        elif action == "back":
            await self.dialogue.back(ctx)
        else:
            await self.dialogue.skip(ctx)


def command_started_dialogue(ctx: Context) -> bool:
    """Whether the replies already show a dialogue step (so it need not be shown again)."""
    token = ctx.conversation.token if ctx.conversation else None
    return any(isinstance(reply, Message) and reply.token == token for reply in ctx.replies)
