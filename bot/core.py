"""The core every channel calls: one inbound event in, the replies out, in one transaction.

It finds who wrote, routes the event (strangers, commands, buttons, forms, the dialogue in
progress) and commits, using only the application description it was given. Channels
only translate their wire format to `Inbound` and draw the returned replies.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot import logs
from bot.app import COMMAND, Application, Command
from bot.buttons import kept, named, remember
from bot.channels.fallbacks import NEVER_MIND, confirmation
from bot.config import Settings
from bot.context import Context, Scope
from bot.dialogue import FORM, Dialogue
from bot.dialogue.engine import NAVIGATION, SWITCH, Handler
from bot.dialogue.steps import ROUTE as DIALOGUE
from bot.errors import answering_expired
from bot.events import Inbound
from bot.flood import FloodGuard, Verdict
from bot.i18n import N_, translator
from bot.metrics import Metrics
from bot.outbox import Purpose, enqueue
from bot.replies import Action, Button, Message, Question, Reply, as_payload, from_payload
from bot.surfaces import CHAT, Surface
from bot.typed import DONT_KNOW, LEAD_NO, LEAD_YES, plain, same, yes_or_no
from storage.db import session_factory, transient
from storage.models import Identity, OutboxMessage, Person, utcnow
from storage.repositories import Inbox, People, Roles

log = logging.getLogger(__name__)
# How fresh `last_active_at` is kept: it counts silence in days (nudges, erasure), so a busy chat
# does not write the person's row on every message.
ACTIVE_EVERY = timedelta(hours=1)

ATTEMPTS = 3  # tries per turn, on fresh state and a fresh connection each time
RETRY_PAUSE = 0.2  # seconds, times the attempt number

# Replies a platform would not take (past the channel's retries): the dispatcher sends them later.
RESEND = Purpose("resend")


ANSWER_WORDS = 3  # typed text this short, under buttons, is an answer to them, not something new to say


def looks_like_an_answer(typed: str) -> bool:
    """Whether typed text reads as an answer to buttons: a few words, a yes or no, "weet ik niet"."""
    words = plain(typed).split()
    return (
        len(words) <= ANSWER_WORDS
        or yes_or_no(typed) is not None
        or (bool(words) and words[0] in LEAD_YES | LEAD_NO)
        or " ".join(words) in DONT_KNOW
    )


class Gangmaker:
    """The channel-neutral bot: `await handle(event)` returns what to say back."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        app: Application,
        clock: Callable[[], datetime] = utcnow,
        surfaces: Mapping[str, Surface] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.engine = engine
        self.app = app
        self.sessions = session_factory(engine)
        self.clock = clock
        self.dialogue = Dialogue(app.flows, menu=app.menu, runnable=self._runnable)
        self.surfaces = dict(surfaces or {})  # per channel; a channel not named is a plain chat
        self.navigation = [
            Command(names, partial(self.dialogue.navigate, command=names[0]), description)
            for names, description in NAVIGATION.items()
        ]
        self.commands = {**app.by_name, **{name: command for command in self.navigation for name in command.names}}
        self.flood = FloodGuard(settings.flood_limit)
        # One event at a time per chat in this process; the version column guards across processes.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    def listed_commands(self) -> list[tuple[str, str]]:
        """Name and description msgid of every command a chat app may show in its menu."""
        listed = self.app.listed()
        return [*listed[:-1], *[(c.name, c.description) for c in self.navigation if c.description], *listed[-1:]]

    async def handle(self, event: Inbound) -> list[Reply]:
        """Answer one event. Never raises for bad input: the person always gets an answer, and
        when the turn cannot be stored, the text they typed comes back to them."""
        with logs.turn(event.channel, event.user_id):
            started = time.perf_counter()
            try:
                return await self._handle(event)
            finally:
                took = time.perf_counter() - started
                self.metrics.updates.labels(channel=event.channel).inc()
                self.metrics.turn_seconds.labels(channel=event.channel).observe(took)
                log.debug("%s event handled in %.0f ms", event.kind, took * 1000)

    async def _handle(self, event: Inbound) -> list[Reply]:
        flood = self.flood.check(f"{event.channel}:{event.user_id}")
        if flood is not Verdict.READ:
            t = translator(event.locale_hint, self.settings.timezone)
            return (
                [
                    Message(
                        t(
                            N_(
                                "Je stuurt veel berichten kort na elkaar. Ik lees even niet mee. "
                                "Wacht een minuutje en stuur dan opnieuw wat je wilde zeggen."
                            )
                        )
                    )
                ]
                if flood is Verdict.WARN
                else []
            )
        async with self._locks.setdefault((event.channel, event.user_id), asyncio.Lock()):
            for attempt in range(ATTEMPTS):
                try:
                    return await self._handle_once(event)
                except (StaleDataError, IntegrityError):
                    # Another instance answered this person at the same moment: try again on fresh state.
                    log.info("concurrent update on %s, retrying", event.channel)
                except Exception as error:
                    if not transient(error):
                        log.exception("failed to handle %s event from %s", event.kind, event.channel)
                        break
                    # A dropped connection or a locked database: try again on a fresh connection.
                    # (A transient error is a DBAPIError, whose `orig` is the driver's own.)
                    log.warning(
                        "database unavailable for a %s turn (%s), attempt %d",
                        event.channel,
                        type(getattr(error, "orig", error)).__name__,
                        attempt + 1,
                    )
                    await asyncio.sleep(RETRY_PAUSE * (attempt + 1))
            return self._failed(event)

    def _failed(self, event: Inbound) -> list[Reply]:
        """The answer to a turn that could not be stored: nothing changed, and what they typed comes back."""
        t = translator(event.locale_hint, self.settings.timezone)
        if event.kind == "text" and event.text and event.command is None:
            return [
                Message(
                    t(
                        N_(
                            "Sorry, ik kon je bericht niet bewaren: er ging iets mis aan mijn kant. "
                            "Stuur het zo nog eens. Je schreef:\n{text}"
                        ),
                        text=event.text,
                    )
                )
            ]
        return [Message(t(N_("Sorry, er ging iets mis aan mijn kant. Probeer het zo nog eens.")))]

    async def set_reachable(self, channel: str, user_id: str, reachable: bool) -> None:
        """Record that a chat can (or, after a block, cannot) be written to."""
        async with self.sessions() as session, session.begin():
            identity = await People(session).identity(channel, user_id)
            if identity is not None:
                identity.reachable = reachable

    async def roles_of(self, channel: str, user_id: str) -> set[str]:
        """The roles the person holds, as the settings and the coordinators granted them."""
        async with self.sessions() as session:
            return await Roles(session).of(channel, user_id)

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language a person reads (None for someone not known yet): for what a channel says itself."""
        async with self.sessions() as session:
            identity = await People(session).identity(channel, user_id)
            return identity.person.locale if identity is not None else None

    async def first_time(self, channel: str, key: str) -> bool:
        """Whether `key` is new on this channel, recorded now beside the handled update ids (which
        housekeeping keeps a week); False when any instance recorded it before."""
        try:
            async with self.sessions() as session, session.begin():
                inbox = Inbox(session)
                if await inbox.seen(channel, key):
                    return False
                await inbox.mark(channel, key, self.clock())
        except IntegrityError:
            return False  # another instance recorded it at the same moment
        except Exception as error:
            if not transient(error):
                raise
            # Without the database nothing a replay asks can be done either; the turn retries on its own.
            log.warning("database unavailable to check a %s request for a replay", channel)
        return True

    async def bootstrap(self) -> None:
        """Grant the roles the settings name (COORDINATOR_TELEGRAM_IDS...), once each."""
        async with self.sessions() as session, session.begin():
            roles = Roles(session)
            for channel, external_id, role, *held_for in self.app.bootstrap_roles(self.settings):
                organisation = None
                if held_for:
                    organisation = await roles.organisation_named(held_for[0]) or await roles.add_organisation(
                        held_for[0], self.clock()
                    )
                await roles.grant(
                    channel, external_id, role, by="settings", now=self.clock(), organisation=organisation
                )

    async def _handle_once(self, event: Inbound) -> list[Reply]:
        async with self.sessions() as session, session.begin():
            ctx = Context(
                session=session,
                settings=self.settings,
                now=self.clock(),
                locale_hint=event.locale_hint,
                surface=self.surface(event.channel),
                event=event,
                dialogue=self.dialogue,
                running=self.app.running,
                waiting=self.app.waiting,
            )
            if event.event_id is not None:
                inbox = Inbox(session)
                if await inbox.seen(event.channel, event.event_id):
                    return []  # delivered twice: answered the first time
                await inbox.mark(event.channel, event.event_id, ctx.now)
            ctx.identity = await ctx.people.identity(event.channel, event.user_id)
            if ctx.identity is None:
                command = self.app.by_name.get(event.command or "")
                if command and command.for_strangers:
                    with answering_expired(ctx):
                        await command.for_strangers(ctx)
                    return ctx.replies
                if not await self.app.stranger(event.channel)(ctx) or ctx.identity is None:
                    return ctx.replies
            ctx.person = ctx.identity.person
            if ctx.person.blocked_at is not None:
                return []  # blocked by a coordinator: told once then, nothing they send is kept or forwarded
            if ctx.now - ctx.person.last_active_at >= ACTIVE_EVERY:
                ctx.person.last_active_at = ctx.now
            ctx.identity.reachable = True
            ctx.conversation = await ctx.conversations.of(ctx.person)
            if self.app.consented is None or await self.app.consented(ctx):
                await self._route(ctx, event)
            if ctx.conversation is not None and ctx.conversation in ctx.session:
                ctx.conversation.updated_at = ctx.now  # the nudge for unfinished onboarding counts from here
            if ctx.identity is not None and ctx.identity in ctx.session:
                remember(ctx.identity, ctx.replies)  # what a typed answer next turn may name
            return ctx.replies

    async def _route(self, ctx: Context, event: Inbound) -> None:
        action = event.action
        name = event.command
        if event.reply_to is not None and self.app.on_reply is not None and await self.app.on_reply(ctx):
            return  # an answer in a thread the application keeps (a conversation through the bot)
        if name is not None:
            await self._command(ctx, name)
        elif event.kind == "submit" and action is not None and action.route == FORM:
            await self.dialogue.submit(ctx, action.verb, event.values)
        elif event.kind == "tap" and action is not None and action.route == COMMAND:
            await self._command(ctx, action.verb or "menu")
        elif event.kind == "tap" and action is not None and action.route == SWITCH:
            await self.dialogue.switch(ctx, action)
        elif event.kind == "tap" and action is not None and await self._may_use(ctx, action):
            with answering_expired(ctx):
                await self.app.routes[action.route].handler(ctx, action)
        elif event.kind == "edited":
            ctx.say(
                ctx.t(
                    N_(
                        "Je hebt een bericht aangepast. Ik lees alleen nieuwe berichten. "
                        "Stuur je antwoord gerust opnieuw."
                    )
                )
            )
            if ctx.conversation is not None:
                await self.dialogue.render(ctx)
        elif event.kind == "open":
            await (self.app.home or self.app.menu)(ctx)
        elif event.kind == "text" and event.room is None and await self._typed_tap(ctx, event):
            pass  # a typed answer to the buttons of the last message, answered as their tap
        elif ctx.conversation is not None:
            await self.dialogue.handle(ctx, event)
        elif event.kind == "tap":
            ctx.notice(ctx.t(N_("Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht.")))
        else:
            await self._not_understood(ctx, event)

    async def _typed_tap(self, ctx: Context, event: Inbound) -> bool:
        """Typed text that names a button of the last message ("ja" under "Wil je je uitschrijven?
        Ja, uitschrijven · Nee, ik kom") is that tap, through the same route, role and staleness
        checks; text that names several asks which. Mid-dialogue only buttons outside the question
        count, and only for text its question does not take ("een maand" after /pauze, under "Waar
        woon je?"); False when the text is for someone else."""
        shown = kept(ctx.identity)
        buttons = [b for b in shown if b.action.route != DIALOGUE]  # a dialogue's, once it has ended
        if not buttons:
            return False
        found = named(event.text, buttons)
        asked = ctx.conversation is not None and any(b.action.route == DIALOGUE for b in shown)
        if asked and (len(found) != 1 or self.dialogue.reads(ctx, event)):
            return False  # the dialogue reads answers to its own question
        if len(found) > 1:
            self._which(ctx, found)
            return True
        if not found:
            return False
        [button] = found
        tap = replace(event, kind="tap", action=button.action, text="", reply_to=None)
        ctx.event = tap
        if button.action == NEVER_MIND:  # the no of a question asked before a button's work
            ctx.say(ctx.t(N_("Oké, dan doe ik niets.")))
        elif button.confirm is not None:  # typed, so no dialog: the button's second question, as a message
            ctx.send(confirmation(button.confirm, button))
        else:
            await self._route(ctx, tap)
        await self._back_to_the_dialogue(ctx)
        return True

    @staticmethod
    def _which(ctx: Context, found: list[Button]) -> None:
        """A typed answer that names several buttons: ask which (or, when their labels are the same,
        where to tap), rather than guess."""
        t = ctx.t
        labels = list(dict.fromkeys(button.label for button in found))
        if len(labels) < len(found):
            ctx.say(t(N_("Die knop staat onder meer dan één bericht. Kies hem onder het bericht dat je bedoelt.")))
        else:
            ctx.say(t(N_("Welke bedoel je?")), found)

    async def _not_understood(self, ctx: Context, event: Inbound) -> None:
        """Outside any dialogue: a menu label typed ("idee delen" for "💡 Idee delen") works as
        its button; a short answer to the buttons of a question (not only a menu's) that names
        none of them is told so, with the buttons again, and a yes or no to no question is told
        that too (never the menu in silence); anything else gets the application's answer."""
        typed = event.text if event.kind == "text" else None
        name = next((name for name, label in self.app.menu_items if typed and same(typed, ctx.t(label))), None)
        buttons = [b for b in kept(ctx.identity) if b.action.route != DIALOGUE]
        if name:
            await self._command(ctx, name)
        elif (
            typed
            and event.room is None
            and any(b.action.route != COMMAND for b in buttons)
            and looks_like_an_answer(typed)
        ):
            t, hint = ctx.t, ctx.surface.hint("choice")
            ctx.say(
                t(N_("Dat kan ik niet lezen als antwoord op mijn vorige bericht.")) + (f" {t(hint)}" if hint else ""),
                buttons,
            )
        else:
            if typed and (yes_or_no(typed) is not None or plain(typed) in DONT_KNOW):  # an answer to nothing here
                ctx.say(ctx.t(N_("Ik weet niet goed waarop je antwoordt.")))
            await self.app.not_understood(ctx)

    async def _may_use(self, ctx: Context, action: Action) -> bool:
        """Whether a button's route exists and this person holds the role it needs."""
        route = self.app.routes.get(action.route)
        return route is not None and (route.role is None or await ctx.has_role(route.role))

    async def _command(self, ctx: Context, name: str) -> None:
        """Run a command; mid-dialogue, answer it and then return to the same question."""
        command = await self._allowed(ctx, name)
        if command is not None and command.starts_dialogue and ctx.conversation is not None:
            self.dialogue.ask_to_switch(ctx, command.name)
            return
        if command is None:
            await self.app.unknown_command(ctx)
        else:
            with answering_expired(ctx):
                await command.run(ctx)
        await self._back_to_the_dialogue(ctx)

    async def _back_to_the_dialogue(self, ctx: Context) -> None:
        """After a command or a typed tap in the middle of a dialogue, its question again."""
        if ctx.conversation is not None and not any(isinstance(reply, Question) for reply in ctx.replies):
            await self.dialogue.render(ctx, prefix=ctx.t(N_("We gaan verder waar je was:")))

    async def keep_for_later(self, channel: str, user_id: str, replies: list[Reply]) -> bool:
        """Queue replies the platform would not take now, so the person still sees what was
        asked, with its buttons; False when there is nothing to keep or nobody to send it to."""
        kept = as_payload(replies)
        if not kept:
            return False
        async with self.sessions() as session, session.begin():
            identity = await People(session).identity(channel, user_id)
            if identity is None:
                return False
            return await enqueue(
                session,
                self.settings,
                key=f"resend:{uuid.uuid4().hex}",
                person=identity.person,
                purpose=RESEND,
                now=self.clock(),
                payload={"replies": kept},
            )

    async def render_push(
        self, session: AsyncSession, row: OutboxMessage, person: Person | None, identity: Identity | None, now: datetime
    ) -> list[Reply]:
        """The replies for one outbox row, in the person's language, or the default one for a
        shared room (used by the dispatcher)."""
        if row.purpose == RESEND.name:
            return from_payload(row.payload["replies"])
        scope = Scope(
            session=session,
            settings=self.settings,
            now=now,
            identity=identity,
            person=person,
            locale_hint=self.settings.default_locale,
            surface=self.surface(identity.channel if identity else ""),
        )
        return await self.app.render_push(scope, row)

    def surface(self, channel: str) -> Surface:
        """How a channel asks, and how commands are typed there."""
        return self.surfaces.get(channel, CHAT)

    async def _allowed(self, ctx: Context, name: str) -> Command | None:
        """The command by this name, unless it needs a role this person does not hold."""
        command = self.commands.get(name)
        if command is not None and command.role and not await ctx.has_role(command.role):
            return None
        return command

    async def _runnable(self, ctx: Context, asked: str | Action) -> Handler | None:
        """What a person asked for mid-dialogue (a command by its name, or a tapped button), ready
        to run once the dialogue stops; None when it is unknown or needs a role they lack."""
        if isinstance(asked, str):
            command = await self._allowed(ctx, asked)
            return command.run if command is not None else None
        if not await self._may_use(ctx, asked):
            return None
        handler = self.app.routes[asked.route].handler
        return lambda ctx: handler(ctx, asked)
