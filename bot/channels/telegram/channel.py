"""The Telegram channel: python-telegram-bot on the Bot API, for residents in private chats.

Updates (polling, or webhooks handed over by `bot.web`) become `Inbound` events for the
core; the replies come back as messages with inline keyboards (`drawing`). Multi-selects
are redrawn in place, long texts are split at paragraph boundaries, a button that asks
before it acts asks in a message of its own, every callback query is answered, 429s are
waited out by `RepliesFirstLimiter`, 5xx and time-outs by tenacity, and a 403 marks the
chat unreachable.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

import httpx
from aiohttp import web
from telegram import (
    BotCommand,
    CallbackQuery,
    ChatMember,
    InputFile,
    Update,
)
from telegram import Message as TelegramMessage
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.channels.base import Channel, Core, Route
from bot.channels.fallbacks import NEVER_MIND, confirmation
from bot.channels.telegram.drawing import ASK_FIRST, keyboard, split_text
from bot.channels.telegram.limits import PUSH, RepliesFirstLimiter, seconds
from bot.config import ConfigError, Settings
from bot.errors import EXPIRED
from bot.events import Inbound
from bot.i18n import N_, SUPPORTED, translator
from bot.outbox import MaybeSent, RetryLater
from bot.outbox import Unreachable as PushUnreachable
from bot.replies import Action, Button, Confirm, Document, Message, Notice, Reply
from bot.surfaces import CHAT

if TYPE_CHECKING:
    from bot.app import RoomSetting

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Refusals of a request repeated after its answer was lost (or late): what it asked is done. (As
# python-telegram-bot words them: "Bad Request: " dropped and the rest capitalised.)
DONE_ALREADY = ("message is not modified", "query is too old")
T = TypeVar("T")


def _unanswered(error: BaseException) -> bool:
    """The request went out, but its answer did not come back: Telegram may have acted on it."""
    cause = error.__cause__
    return (
        isinstance(error, NetworkError)
        and isinstance(cause, httpx.TransportError)
        and not isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    )


def _transient(error: BaseException) -> bool:
    """Worth another try: time-outs and server errors, not a refused request."""
    return isinstance(error, TimedOut) or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


class Unreachable(Exception):
    """The chat blocked the bot (403): nothing more is sent to it."""


class Undelivered(Exception):
    """Telegram would not take these replies now (429 or 5xx past the retries)."""

    def __init__(self, replies: list[Reply], reason: str) -> None:
        super().__init__(reason)
        self.replies = replies


class TelegramChannel(Channel):
    """Residents on Telegram: one python-telegram-bot Application around the core. It polls, or
    takes webhooks when TELEGRAM_WEBHOOK_URL is set; `retry_wait` paces its retries."""

    name = "telegram"
    needs = "TELEGRAM_TOKEN"
    draws = frozenset({Message, Document, Notice})
    surface = CHAT.with_hints(
        choice=N_("Tik op een van de knoppen."),
        yesno=N_("Tik op een van de knoppen."),
        multi=N_("Tik op alles wat past en dan op Klaar."),
    )

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return bool(settings.telegram_token)

    def __init__(
        self, core: Core, settings: Settings, rooms: Sequence[RoomSetting] = (), *, retry_wait: float = 0.5
    ) -> None:
        super().__init__(core, settings, rooms)
        assert settings.telegram_token is not None
        self.webhook = settings.telegram_webhook_url  # updates come there instead of by polling, when set
        secret = settings.telegram_webhook_secret  # the settings require one with a webhook
        self.secret = secret.get_secret_value() if secret else None
        self.retry_wait = retry_wait
        # Any second within TELEGRAM_RATE, 20 a minute per group, broadcasts at TELEGRAM_BROADCAST_RATE
        # in what replies leave; a 429 is waited out and tried again.
        waits = core.metrics.flood_wait
        self.limits = RepliesFirstLimiter(
            settings.telegram_rate,
            settings.telegram_broadcast_rate,
            waited=lambda kind, wait: waits.labels(channel=self.name, kind=kind).observe(wait),
        )
        builder = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .rate_limiter(self.limits)
            # Many people at once; one chat at a time, in order (see `_answer`).
            .concurrent_updates(32)
        )
        if settings.telegram_base_url:
            root = settings.telegram_base_url.rstrip("/")
            builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
        if self.webhook:
            builder = builder.updater(None)
        self.application = builder.build()
        self._chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._install_handlers()

    # -- wiring ---------------------------------------------------------------------------

    def _install_handlers(self) -> None:
        private = filters.ChatType.PRIVATE
        app = self.application
        app.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self._on_edited))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, self._on_message))
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_handler(ChatMemberHandler(self._on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, self._on_group))
        app.add_error_handler(self._on_error)

    async def start(self) -> None:
        """Connect, publish the command lists, and start polling (or set the webhook). A token Telegram
        refuses, a Telegram out of reach or a webhook it will not take stops the start with one line
        naming the setting (PTB's own messages would show the token)."""
        try:
            await self.application.initialize()  # getMe: checks the token
        except InvalidToken:
            raise ConfigError(
                "Configuration error: TELEGRAM_TOKEN is refused by Telegram; copy the bot's token from @BotFather again."
            ) from None
        except NetworkError as error:  # TimedOut too
            raise ConfigError(self._out_of_reach(error)) from None
        await self.publish_commands()
        if self.webhook:
            try:
                await self.application.bot.set_webhook(
                    url=self.webhook, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
                )
            except BadRequest as error:  # Telegram's reason, which holds no token ("bad webhook: ...")
                raise ConfigError(
                    f"Configuration error: TELEGRAM_WEBHOOK_URL is refused by Telegram ({error.message})."
                ) from None
        await self.application.start()
        if self.application.updater is not None:
            await self.application.updater.start_polling(
                timeout=self.settings.telegram_poll_timeout, allowed_updates=Update.ALL_TYPES
            )

    def _out_of_reach(self, error: NetworkError) -> str:
        """Telegram cannot be reached to check the token: where it was sought, and why, without the token."""
        base = self.settings.telegram_base_url
        where = f"at {urlparse(base).netloc} (TELEGRAM_BASE_URL)" if base else "at api.telegram.org"
        reason = "it did not answer in time" if isinstance(error, TimedOut) else "no connection"
        return (
            f"Configuration error: Telegram cannot be reached {where} to check TELEGRAM_TOKEN ({reason}); "
            "is this machine online?"
        )

    async def stop(self) -> None:
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    def routes(self) -> list[Route]:
        """The webhook route, on the path of TELEGRAM_WEBHOOK_URL, when a webhook is set."""
        if not self.webhook:
            return []
        return [("POST", urlparse(self.webhook).path or "/", self.on_webhook)]

    async def on_webhook(self, request: web.Request) -> web.Response:
        """Hand an update to python-telegram-bot, but only with the secret we registered."""
        given = request.headers.get(SECRET_HEADER, "")
        if self.secret is None or not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("refused a Telegram webhook call without the right secret from %s", request.remote)
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            payload = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "not JSON"}, status=400)
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        try:
            update = Update.de_json(payload, self.application.bot)
        except Exception:  # noqa: BLE001 - a forged or broken update: nothing Telegram itself would send
            log.warning("refused a Telegram webhook call whose update does not parse")
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        await self.application.process_update(update)
        return web.json_response({"ok": True})

    async def publish_commands(self) -> None:
        """setMyCommands for each language; Dutch is also the default list."""
        for locale in SUPPORTED:
            t = translator(locale)
            commands = [BotCommand(name, t(description)) for name, description in self.core.listed_commands()]
            await self.application.bot.set_my_commands(commands, language_code=locale)
            if locale == "nl":
                await self.application.bot.set_my_commands(commands)

    # -- updates in -------------------------------------------------------------------------

    def _inbound(self, update: Update, **fields: Any) -> Inbound:
        user = update.effective_user
        assert user is not None  # the updates handled here all come from a person
        return Inbound(
            channel=self.name,
            user_id=str(user.id),
            display_name=user.first_name,
            locale_hint=user.language_code,
            event_id=str(update.update_id),
            **fields,
        )

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None  # the handler's filter lets only messages through
        if message.text is not None:
            event = self._inbound(update, kind="text", text=message.text)
        elif message.photo:
            # Telegram sends every size; the last is the largest.
            event = self._inbound(update, kind="photo", photo=message.photo[-1].file_id)
        else:
            event = self._inbound(update, kind="other")
        await self._answer(event, message.chat_id, None)

    async def _on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None  # the handler's filter lets only edits through
        event = self._inbound(update, kind="edited")
        await self._answer(event, update.edited_message.chat_id, None)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None  # CallbackQueryHandler
        chat = query.message.chat if query.message else None
        data = query.data or ""
        action = Action.decode(data.removeprefix(ASK_FIRST))
        # What the channel answers itself, without a turn: the core cannot tell a second delivery of it.
        own = (
            chat is None or chat.type != ChatType.PRIVATE or action in (None, NEVER_MIND) or data.startswith(ASK_FIRST)
        )
        if own and not await self.core.first_time(self.name, str(update.update_id)):
            return  # answered the first time it came
        if chat is None or chat.type != ChatType.PRIVATE or action is None:
            t = translator(query.from_user.language_code)
            await self._call(lambda: query.answer(t(EXPIRED)), query.from_user.id)
        elif action == NEVER_MIND:  # the no of a question this channel asked: that question goes
            await self._call(lambda: query.answer(), chat.id)
            if query.message is not None:
                message_id = query.message.message_id
                await self._call(lambda: self.application.bot.edit_message_reply_markup(chat.id, message_id), chat.id)
        elif data.startswith(ASK_FIRST):  # Telegram has no dialog: the button asks in a message first
            await self._show(chat.id, [self._confirmation(query, action)], query)
        else:
            await self._answer(self._inbound(update, kind="tap", action=action), chat.id, query)

    @staticmethod
    def _confirmation(query: CallbackQuery, action: Action) -> Message:
        """ "<the button>?" with yes and no: the button's own question is not in its callback data."""
        t = translator(query.from_user.language_code)
        markup = query.message.reply_markup if isinstance(query.message, TelegramMessage) else None
        rows = markup.inline_keyboard if markup is not None else ()
        label = next((b.text for row in rows for b in row if b.callback_data == query.data), "")
        return confirmation(Confirm(f"{label}?", "", t(N_("Ja")), t(N_("Nee"))), Button(label, action))

    async def _on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        assert change is not None  # ChatMemberHandler.MY_CHAT_MEMBER
        status = change.new_chat_member.status
        if change.chat.type == ChatType.PRIVATE:
            blocked = status in (ChatMember.BANNED, ChatMember.LEFT)
            await self.core.set_reachable(self.name, str(change.chat.id), not blocked)
        elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
            await self._private_only(change.chat.id, change.from_user.language_code)

    async def _on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_user is not None  # a command in a group
        await self._private_only(update.effective_chat.id, update.effective_user.language_code)

    async def _private_only(self, chat_id: int, language: str | None) -> None:
        t = translator(language)
        link = f"https://t.me/{self.application.bot.username}"
        text = t(N_("Ik praat alleen één op één met mensen. Stuur me hier een bericht: {link}"), link=link)
        try:
            await self._call(lambda: self.application.bot.send_message(chat_id, text), chat_id, mark_unreachable=False)
        except Unreachable:
            pass

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)

    # -- replies out ------------------------------------------------------------------------

    async def _answer(self, event: Inbound, chat_id: int, query: CallbackQuery | None) -> None:
        # Handling and sending under one lock per chat keeps a person's replies in order.
        async with self._chat_locks.setdefault(chat_id, asyncio.Lock()):
            await self._send(chat_id, await self.core.handle(event), query)

    async def _show(self, chat_id: int, replies: list[Reply], query: CallbackQuery | None) -> None:
        """Replies of the channel's own (no turn of the core), in their place among the chat's."""
        async with self._chat_locks.setdefault(chat_id, asyncio.Lock()):
            await self._send(chat_id, replies, query)

    async def _send(self, chat_id: int, replies: list[Reply], query: CallbackQuery | None) -> None:
        try:
            with self.limits.replying():
                await self.deliver(chat_id, replies, query)
        except Unreachable:
            log.info("a chat blocked the bot; marked unreachable")
        except Undelivered as failed:
            log.warning("Telegram did not take a reply (%s); the outbox sends it later", failed)
            await self.core.keep_for_later(self.name, str(chat_id), failed.replies)

    async def deliver(self, chat_id: int, replies: list[Reply], query: CallbackQuery | None = None) -> None:
        """Draw the replies in the chat. A tap is answered first, with any notice as its toast; a tap
        with no answer at all (delivered twice) was answered the first time."""
        replies = self.drawable(replies)
        if query is not None and replies:
            notices = " ".join(r.text for r in replies if isinstance(r, Notice))
            try:
                await self._call(lambda: query.answer(notices[:200] or None), chat_id)
            except (RetryAfter, NetworkError) as error:  # only the spinner and a toast are lost
                log.warning("could not answer a tap: %r", error)
        for number, reply in enumerate(replies):
            if isinstance(reply, Notice) and query is not None:
                continue
            if isinstance(reply, Message) and reply.to is not None:
                log.debug("a reply for a shared room has no place on Telegram")
                continue
            try:
                tapped = query.message.message_id if query is not None and query.message is not None else None
                if isinstance(reply, Message) and reply.replace and tapped is not None:
                    await self._call(self._replace(chat_id, tapped, reply), chat_id)
                    continue
                for request in self._requests(chat_id, reply):
                    await self._call(request, chat_id)
                self.core.metrics.replies.labels(channel=self.name).inc()
            except (RetryAfter, NetworkError) as error:  # past the retries: this reply and the rest wait
                if isinstance(error, RetryAfter):
                    self.core.metrics.rate_limited.labels(channel=self.name).inc()
                raise Undelivered(replies[number:], repr(error)) from None

    def _replace(self, chat_id: int, message_id: int, reply: Message) -> Callable[[], Awaitable[Any]]:
        """Redraw the tapped message: only its buttons, or its text and buttons."""
        bot = self.application.bot
        if reply.replace == "buttons" or len(reply.text) > MessageLimit.MAX_TEXT_LENGTH:
            return partial(bot.edit_message_reply_markup, chat_id, message_id, reply_markup=keyboard(reply))
        return partial(bot.edit_message_text, reply.text, chat_id, message_id, reply_markup=keyboard(reply))

    def _requests(self, chat_id: int, reply: Reply, priority: str | None = None) -> list[Callable[[], Awaitable[Any]]]:
        """The Bot API calls that draw one reply (as `drawable` left it): a file, or a text in one or
        more pieces (`priority` PUSH: they wait for replies, see `RepliesFirstLimiter`)."""
        bot = self.application.bot
        if isinstance(reply, Document):
            upload = InputFile(reply.content, filename=reply.filename)
            caption = reply.caption or None
            return [partial(bot.send_document, chat_id, upload, caption=caption, rate_limit_args=priority)]
        pieces = split_text(reply.text)
        markup = keyboard(reply) if isinstance(reply, Message) else None
        last = len(pieces)
        return [
            partial(
                bot.send_message, chat_id, piece, reply_markup=markup if n == last else None, rate_limit_args=priority
            )
            for n, piece in enumerate(pieces, start=1)
        ]

    async def push(self, user_id: str, replies: list[Reply]) -> str | None:
        """Send an outbox message (for the dispatcher, which does its own retrying).

        Raises RetryLater on 429 (after AIORateLimiter's own retries), 5xx and failed connections,
        MaybeSent when the request went out but no answer came back, and PushUnreachable when
        the person blocked the bot. Returns the last message id."""
        chat_id, message_id = int(user_id), None
        try:
            for reply in self.drawable(replies):
                for request in self._requests(chat_id, reply, PUSH):
                    message_id = (await request()).message_id
        except RetryAfter as error:
            self.core.metrics.rate_limited.labels(channel=self.name).inc()
            raise RetryLater(seconds(error.retry_after), "429") from None
        except Forbidden:
            raise PushUnreachable() from None
        except Exception as error:
            if _unanswered(error):
                raise MaybeSent(repr(error)) from None
            if _transient(error):
                raise RetryLater(30, repr(error)) from None
            raise
        return str(message_id) if message_id is not None else None

    async def _call(self, make: Callable[[], Awaitable[T]], chat_id: int, mark_unreachable: bool = True) -> T | None:
        """Make one Bot API request, retrying transient failures; a 403 marks the chat unreachable."""
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_transient),
                stop=stop_after_attempt(4),
                wait=wait_exponential(multiplier=self.retry_wait, max=10),
                reraise=True,
            ):
                with attempt:
                    return await make()
        except Forbidden:
            if mark_unreachable:
                await self.core.set_reachable(self.name, str(chat_id), False)
            raise Unreachable() from None
        except BadRequest as error:
            if any(harmless in str(error).lower() for harmless in DONE_ALREADY):
                log.info("Telegram had this done already: %s", error)
            else:
                log.error("Telegram refused a request: %s", error)
        return None
