"""The Slack channel: slack-bolt (async) for a workspace of organisations, over HTTP or Socket Mode.

Slash commands (`/gangmaker oproep`), button taps, modal submissions and events (App Home
opened, a direct message) arrive signed on `/slack/events` of the bot's web server, where
the channel checks the signature and its 5-minute window before anything of it is read; or, with an app
token (Socket Mode, for a workspace without a public URL), over a WebSocket the bot opens.
Every request is acknowledged at once and answered after the ack, except a modal
submission, whose field errors go back in the ack.
A flow marked as a form opens as a modal; the App Home shows what the menu shows; replies
go to the person's direct messages, or to a shared room (`Room`) when they name one: the
application declares its rooms, and a setting per room names its Slack channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from aiohttp import ClientConnectorError, ClientError, ConnectionTimeoutError, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.base import Channel, Core, Route
from bot.channels.slack import blocks as draw
from bot.channels.slack import payloads
from bot.config import ConfigError, Settings
from bot.errors import EXPIRED
from bot.events import Inbound
from bot.i18n import N_, SUPPORTED, translator
from bot.outbox import MaybeSent, RetryLater
from bot.outbox import Unreachable as PushUnreachable
from bot.replies import Action, Card, Dashboard, Document, FieldErrors, Form, Message, Notice, Reply, replacing, room_of
from bot.surfaces import CHAT

if TYPE_CHECKING:
    from bot.app import RoomSetting

log = logging.getLogger(__name__)


PATH = "/slack/events"
SLASH_COMMAND = "/gangmaker"
# Errors after which nothing more can reach this person on Slack.
GONE = {"channel_not_found", "account_inactive", "user_not_found", "user_disabled", "is_archived", "not_in_channel"}


class Pace:
    """Slack takes about one message a second in a channel: each post starts a second after the
    previous one there ended. (A token bucket such as aiolimiter spaces the starts, so a slow
    request followed by a quick one can still reach Slack within the second.)"""

    def __init__(self, gap: float = 1.0) -> None:
        self.gap = gap
        self._lock = asyncio.Lock()
        self._last = float("-inf")

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._lock:
            loop = asyncio.get_running_loop()
            await asyncio.sleep(max(0.0, self._last + self.gap - loop.time()))
            try:
                yield
            finally:
                self._last = loop.time()


def _unsent(error: BaseException) -> bool:
    """A request that never reached Slack (no connection was made): sending it again is safe. Any
    other failure without an answer (a time-out, a reset) may come after Slack acted on it."""
    return isinstance(error, (ClientConnectorError, ConnectionTimeoutError))


def _passing(error: SlackApiError) -> bool:
    """A refusal that passes by itself: rate limited (429), or Slack's own trouble (5xx)."""
    return error.response.status_code == 429 or error.response.status_code >= 500


class SlackChannel(Channel):
    """The people of organisations in one Slack workspace: one Bolt app around the core."""

    name = "slack"
    needs = "SLACK_BOT_TOKEN"
    draws = frozenset({Message, Card, Dashboard, Form, Document, Notice})
    confirms = True
    # A whole flow opens as a modal; the dialogue's own steps still come as messages with buttons.
    surface = CHAT.with_hints(
        forms=True,
        command="/gangmaker {}",
        choice=N_("Klik op een van de knoppen."),
        yesno=N_("Klik op een van de knoppen."),
        multi=N_("Klik op alles wat past en dan op Klaar."),
    )

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return bool(settings.slack_bot_token)

    def __init__(self, core: Core, settings: Settings, rooms: Sequence[RoomSetting] = ()) -> None:
        super().__init__(core, settings, rooms)
        assert settings.slack_bot_token is not None
        secret = settings.slack_signing_secret
        self.app = AsyncApp(
            token=settings.slack_bot_token.get_secret_value(),
            signing_secret=secret.get_secret_value() if secret else "",
            logger=log,
            # `on_request` verifies every HTTP request before anything of it is read (Bolt's own check
            # parses first, and logs a refused body whole); Socket Mode's come over the bot's connection.
            request_verification_enabled=False,
        )
        self.verifier = SignatureVerifier(secret.get_secret_value()) if secret else None
        self.client: AsyncWebClient = self.app.client
        self.client.base_url = (settings.slack_api_url or "https://slack.com/api").rstrip("/") + "/"
        # A request that never reached Slack is tried once more; one that may have (a time-out, a reset)
        # is not, as what it posted may be there (slack_sdk's default sends that again too). A 429 on a
        # reply is waited out once (Retry-After); pushes leave the rest to the outbox.
        self.client.retry_handlers = [
            AsyncConnectionErrorRetryHandler(error_types=[ClientConnectorError]),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
        ]
        app_token = settings.slack_app_token
        self.socket = (
            AsyncSocketModeHandler(self.app, app_token.get_secret_value(), web_client=self.client)
            if app_token
            else None
        )
        # The Slack channel of each shared room, from the setting the application names for it.
        self.rooms: dict[str, str | None] = {room.name: getattr(settings, room.setting) for room in rooms}
        self._settings_of_rooms = {room.name: room.setting.upper() for room in rooms}  # for what start says
        # What the bot posts to a channel on its own waits its turn there.
        self._pace: defaultdict[str, Pace] = defaultdict(Pace)
        self._profiles: dict[str, tuple[str | None, str | None]] = {}
        self._direct: dict[str, str] = {}
        self.app.command(SLASH_COMMAND)(self._on_command)
        self.app.action(re.compile(".+"))(self._on_action)
        self.app.view(re.compile(".+"))(self._on_submit)
        self.app.event("app_home_opened")(self._on_home)
        self.app.event("message")(self._on_message)

    def routes(self) -> list[Route]:
        """`/slack/events` on the web server, unless Slack's requests come over Socket Mode."""
        return [] if self.socket else [("POST", PATH, self.on_request)]

    async def start(self) -> None:
        """Check what can be checked of the settings (`check`), then, in Socket Mode, connect."""
        await self.check()
        if self.socket is not None:
            await self.socket.connect_async()

    async def check(self) -> None:
        """Stop the start with one line when Slack would get nothing to its place: a shared room
        without a channel, a bot token Slack refuses (auth.test), a room's channel Slack does not
        know, that is archived, or that the app is not in (conversations.info)."""
        unset = [setting for name, setting in self._settings_of_rooms.items() if not self.rooms.get(name)]
        if unset:
            raise ConfigError(
                f"Configuration error: {' and '.join(unset)} {'is' if len(unset) == 1 else 'are'} not set, so "
                "the cards for that room would have nowhere to go on Slack; set each to a channel id (C…)."
            )
        try:
            me = await self.client.auth_test()
        except SlackApiError as error:
            raise ConfigError(
                f"Configuration error: SLACK_BOT_TOKEN is refused by Slack ({error.response.get('error')}); "
                "copy the Bot User OAuth Token from the app's OAuth & Permissions again."
            ) from None
        except (ClientError, TimeoutError):
            raise ConfigError(
                f"Configuration error: Slack cannot be reached at {self.client.base_url} to check SLACK_BOT_TOKEN "
                "(SLACK_API_URL); is this machine online?"
            ) from None
        if self.socket is not None:
            try:  # what connecting does first, where slack_sdk would retry a refusal for ever
                opened = await self.client.apps_connections_open(app_token=self.socket.app_token)
                self.socket.client.wss_uri = opened["url"]  # connect uses this one and asks no other
            except SlackApiError as error:
                raise ConfigError(
                    f"Configuration error: SLACK_APP_TOKEN is refused by Slack ({error.response.get('error')}); "
                    "copy the App-Level Token (connections:write) from the app's Basic Information again."
                ) from None
        for name, channel in self.rooms.items():
            await self._check_room(self._settings_of_rooms[name], str(channel), str(me.get("user") or "gangmaker"))

    async def _check_room(self, setting: str, channel: str, bot: str) -> None:
        try:
            found = (await self.client.conversations_info(channel=channel))["channel"]
        except SlackApiError as error:
            code = error.response.get("error")
            if code == "missing_scope":  # an app installed before it asked channels:read: cannot tell
                log.warning("%s not checked: the app lacks the scope channels:read (see slack-manifest.yml)", setting)
                return
            raise ConfigError(
                f"Configuration error: {setting}: Slack has no channel {channel} for the app ({code}); "
                "use the channel's id, and for a private channel invite the app first."
            ) from None
        if found.get("is_archived"):
            raise ConfigError(f"Configuration error: {setting}: the channel #{found.get('name')} is archived.")
        if found.get("is_member") is False:
            raise ConfigError(
                f"Configuration error: {setting}: the app is not in #{found.get('name')}; "
                f"type /invite @{bot} in that channel."
            )

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()

    async def on_request(self, request: web.Request) -> web.Response:
        """One request from Slack, verified before anything of it is read, then acknowledged by Bolt.
        Anyone can post here: a wrong or stale signature gets 401, what does not parse 400, a signed
        body missing what Slack always sends 400, and none reaches a log with its body or a traceback.
        A request whose signature came before (a replay, from any instance) gets 200 and does nothing."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:  # Slack sends UTF-8
            return web.Response(status=400, text="unreadable body")
        if not (timestamp.isascii() and timestamp.isdecimal()):
            return web.Response(status=400, text="invalid timestamp")
        signature = request.headers.get("X-Slack-Signature", "")
        if self.verifier is None or not self.verifier.is_valid(body, timestamp, signature):
            log.info("Slack request refused: its signature is wrong or stale")
            return web.Response(status=401, text="invalid signature")
        try:
            bolt_request = await to_bolt_request(request)
        except Exception:  # noqa: BLE001 - not JSON, or JSON that is not an object: not Slack's
            return web.Response(status=400, text="unreadable body")
        wrong = payloads.problem(bolt_request.body)
        if wrong is not None:  # signed, yet not as Slack sends it
            log.warning("Slack request refused: %s", wrong)
            return web.Response(status=400, text="not a request Slack sends")
        if not await self.core.first_time(self.name, payloads.replay_key(bolt_request.body, signature)):
            # Sent again as captured, within the signature's five minutes: answered, and nothing done.
            log.info("Slack request dropped: the same signed request came before")
            return web.Response(status=200)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    # -- requests in -------------------------------------------------------------------------

    async def _event(self, user_id: str, **fields: Any) -> Inbound:
        locale, name = await self.profile(user_id)
        return Inbound(channel=self.name, user_id=user_id, locale_hint=locale, display_name=name, **fields)

    async def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        await ack()
        user_id = command["user_id"]
        text = command.get("text", "").strip() or "menu"
        event = await self._event(user_id, kind="command", text="/" + text.removeprefix("/"))
        await self.deliver(user_id, await self.core.handle(event), trigger_id=command.get("trigger_id"))

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user_id = body["user"]["id"]
        container = body.get("container") or {}
        channel = container.get("channel_id")
        tapped = (channel, container["message_ts"]) if channel and container.get("message_ts") else None
        decoded = Action.decode(action.get("value"))
        if decoded is None:
            replies: list[Reply] = [Notice(translator(await self.locale(user_id))(EXPIRED))]
        else:
            room = channel if channel and not channel.startswith("D") else None
            replies = await self.core.handle(await self._event(user_id, kind="tap", action=decoded, room=room))
        await self.deliver(user_id, replies, trigger_id=body.get("trigger_id"), tapped=tapped)
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            await self._on_home({"tab": "home", "user": user_id})  # show the dashboard as it is now

    async def _on_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A modal sent: checked by the flow's rules before the ack, so errors show in the modal."""
        user_id = body["user"]["id"]
        event = await self._event(
            user_id, kind="submit", action=Action.decode(view.get("callback_id")), values=draw.submitted(view)
        )
        replies = await self.core.handle(event)
        problems = next((reply for reply in replies if isinstance(reply, FieldErrors)), None)
        errors = self._on_blocks(view, problems) if problems is not None else {}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await self.deliver(user_id, replies)

    @staticmethod
    def _on_blocks(view: dict[str, Any], problems: FieldErrors) -> dict[str, str]:
        """Errors by block id; one about a field the modal does not show goes on the first field."""
        shown = [block.get("block_id") for block in view.get("blocks", []) if block.get("type") == "input"]
        errors: dict[str, str] = {}
        if not shown:
            return errors  # no field to show them on: they come as a message
        for name, text in problems.errors.items():
            target = name if name in shown else shown[0]
            errors[target] = draw.cut(f"{errors[target]} {text}" if target in errors else text, 2000)
        return errors

    async def _on_home(self, event: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        user_id = event["user"]
        replies = await self.core.handle(await self._event(user_id, kind="open"))
        shown = [reply for reply in self.drawable(replies) if isinstance(reply, (Message, Card, Dashboard))]
        await self._safely(self.client.views_publish(user_id=user_id, view=draw.home(shown)))

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        user_id = event["user"]
        inbound = await self._event(
            user_id,
            kind="text",
            text=event.get("text", ""),
            event_id=body.get("event_id"),
            reply_to=event.get("thread_ts"),
        )
        await self.deliver(user_id, await self.core.handle(inbound))

    async def profile(self, user_id: str) -> tuple[str | None, str | None]:
        """The person's Slack language (nl, en or fr) and name, read once."""
        if user_id not in self._profiles:
            try:
                user = (await self.client.users_info(user=user_id, include_locale=True))["user"]
            except SlackApiError as error:
                log.warning("users.info failed: %s", error.response.get("error"))
                return None, None
            language = str(user.get("locale") or "")[:2]
            name = (user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name")
            self._profiles[user_id] = (language if language in SUPPORTED else None, name or None)
        return self._profiles[user_id]

    async def locale(self, user_id: str) -> str | None:
        return (await self.profile(user_id))[0]

    # -- replies out ---------------------------------------------------------------------------

    async def direct(self, user_id: str) -> str:
        """The direct-message channel with the person."""
        if user_id not in self._direct:
            self._direct[user_id] = (await self.client.conversations_open(users=user_id))["channel"]["id"]
        return self._direct[user_id]

    async def deliver(
        self,
        user_id: str,
        replies: list[Reply],
        *,
        trigger_id: str | None = None,
        tapped: tuple[str, str] | None = None,
    ) -> None:
        """Draw the replies: a form as a modal, a notice only to the person, a redraw in place,
        a room's card in its channel, the rest in the direct messages."""
        later: list[Reply] = []
        for reply in self.drawable(replies):
            try:
                await self._draw(user_id, reply, trigger_id, tapped)
                self.core.metrics.replies.labels(channel=self.name).inc()
            except SlackApiError as error:
                if error.response.status_code == 429:
                    self.core.metrics.rate_limited.labels(channel=self.name).inc()
                if _passing(error) and room_of(reply) is None:
                    later.append(reply)  # Slack could not take it now: the outbox sends it again
                else:
                    log.error("Slack refused a reply: %s", error.response.get("error"))
            except (OSError, ClientError) as error:  # a time-out is an OSError
                if _unsent(error) and room_of(reply) is None:
                    later.append(reply)
                else:
                    log.warning("a Slack reply may not have arrived: %s", type(error).__name__)
        if later:
            log.warning("Slack did not take %d replies; the outbox sends them later", len(later))
            await self.core.keep_for_later(self.name, user_id, later)

    async def _draw(self, user_id: str, reply: Reply, trigger_id: str | None, tapped: tuple[str, str] | None) -> None:
        client = self.client
        if isinstance(reply, Form):
            t = translator(await self.locale(user_id))
            await client.views_open(trigger_id=trigger_id, view=draw.modal(reply, t(N_("Annuleren"))))
        elif isinstance(reply, Notice):
            channel = tapped[0] if tapped else await self.direct(user_id)
            await client.chat_postEphemeral(channel=channel, user=user_id, text=draw.text(reply.text))
        elif isinstance(reply, Document):
            await client.files_upload_v2(
                channel=await self.direct(user_id),
                filename=reply.filename,
                content=reply.content,
                initial_comment=draw.text(reply.caption) if reply.caption else None,
            )
        elif (to := room_of(reply)) is not None:
            room = self.rooms.get(to.name)
            if room is None:
                log.warning("no Slack channel set for the room %s", to.name)
                return
            if to.message_id:
                await client.chat_update(channel=room, ts=to.message_id, **draw.message(reply))
            else:
                async with self._pace[room].turn():
                    await client.chat_postMessage(channel=room, **draw.message(reply))
        elif replacing(reply) and tapped is not None:
            redrawn = {key: value for key, value in draw.message(reply).items() if key != "thread_ts"}
            await client.chat_update(channel=tapped[0], ts=tapped[1], **redrawn)
        else:
            await client.chat_postMessage(channel=await self.direct(user_id), **draw.message(reply))

    async def _safely(self, request: Awaitable[Any]) -> None:
        """A refused reply is logged (its error code, no content) and the others still go."""
        try:
            await request
        except SlackApiError as error:
            log.error("Slack refused a reply: %s", error.response.get("error"))

    def hosts(self, room: str) -> bool:
        """Whether a Slack channel is set for this shared room."""
        return bool(self.rooms.get(room))

    async def push_room(self, room: str, replies: list[Reply]) -> str | None:
        """Send an outbox message to a shared room's channel (the same errors as `push`)."""
        return await self.push("", replies, channel=self.rooms[room])

    async def push(self, user_id: str, replies: list[Reply], *, channel: str | None = None) -> str | None:
        """Send an outbox message (a room's reply that names its `message_id` edits that message).
        RetryLater on 429, server errors and no connection, MaybeSent when a message went out but no
        answer came back (it is not sent twice), PushUnreachable when the person's account or
        channel is gone; returns the last message's ts."""
        ts = None
        posting = False  # a request is out that puts something in front of people
        try:
            channel = channel or await self.direct(user_id)
            for reply in self.drawable(replies):
                if isinstance(reply, (Notice, Form)):
                    continue
                async with self._pace[channel].turn():
                    posting = True
                    if isinstance(reply, Document):  # a chart for a room: shared there as a file
                        await self.client.files_upload_v2(
                            channel=channel,
                            filename=reply.filename,
                            content=reply.content,
                            initial_comment=draw.text(reply.caption) if reply.caption else None,
                        )
                    elif (to := room_of(reply)) is not None and to.message_id:  # a room's card redrawn
                        drawn = {key: value for key, value in draw.message(reply).items() if key != "thread_ts"}
                        ts = (await self.client.chat_update(channel=channel, ts=to.message_id, **drawn))["ts"]
                    else:
                        ts = (await self.client.chat_postMessage(channel=channel, **draw.message(reply)))["ts"]
                    posting = False
        except SlackApiError as error:
            code = error.response.get("error")
            if code in GONE:
                raise PushUnreachable() from None
            if error.response.status_code == 429:
                self.core.metrics.rate_limited.labels(channel=self.name).inc()
            if _passing(error):
                raise RetryLater(float(error.response.headers.get("Retry-After", 30)), str(code)) from None
            raise
        except (OSError, ClientError) as error:  # a time-out is an OSError
            if posting and not _unsent(error):
                raise MaybeSent(repr(error)) from None
            raise RetryLater(30, repr(error)) from None
        return ts
