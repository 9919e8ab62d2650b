"""A fake Slack on 127.0.0.1: the Web API the bot calls, and Slack's signed requests to the bot.

The Web API answers as Slack does (HTTP 200 with `ok: false` and an error code): a wrong
token is `invalid_auth`, an unknown channel `channel_not_found`, a deactivated user
`account_inactive`, blocks Slack would refuse `invalid_blocks` (each block is parsed and
validated by slack_sdk's own models, and the counts are Slack's: 50 blocks in a message,
100 in a view), a text over 40,000 characters `msg_too_long`, and past the configured
rate, HTTP 429 `ratelimited` with Retry-After. `failures` queues errors for a method, and
`unanswered` loses its answer (after doing it): late, or with the connection dropped.

As Slack, it posts slash commands, button taps, form submissions and events to the bot,
signed with the signing secret (or not, or stale, to see them refused), and replays one as
captured; or, once the bot has opened a Socket Mode connection (apps.connections.open with
the app token, then a WebSocket), sends them as envelopes over it and waits at most Slack's
3 seconds for the acknowledgement.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, WSMsgType, web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SECRET = "test-signing-secret"
TEAM = "T0KORTRIJK"
BOT_USER = "UGANGMAKER"
LATE, DROPPED = "late", "dropped"
LATE_BY = 1.0  # seconds an answer LATE is held back: past the time-out a test gives the bot's client


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    error: str | None = None


@dataclass
class User:
    id: str
    name: str
    locale: str = "nl-NL"
    deleted: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str | None = None  # for an ephemeral message: who sees it
    thread_ts: str | None = None  # the message whose thread this continues


class SlackError(Exception):
    def __init__(self, error: str, status: int = 200, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.error, self.status, self.retry_after = error, status, retry_after


def check_blocks(blocks: Any, limit: int) -> None:
    """Refuse what Slack refuses: too many blocks, an unknown block, a field over its limit."""
    if not isinstance(blocks, list) or len(blocks) > limit:
        raise SlackError("invalid_blocks")
    for block in blocks:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                raise SlackError("invalid_blocks")
            parsed.to_dict()
        except (SlackObjectFormationError, KeyError, TypeError) as error:
            raise SlackError("invalid_blocks") from error


class FakeSlack:
    """The Web API server, the workspace it knows, and the traffic it saw."""

    def __init__(self, token: str = TOKEN, secret: str = SECRET, per_channel_per_second: float | None = None) -> None:
        self.token, self.secret = token, secret
        self.users: dict[str, User] = {}
        self.channels: set[str] = set()
        self.messages: list[Message] = []
        self.views: dict[str, dict[str, Any]] = {}  # view id -> the view as opened or updated
        self.homes: dict[str, dict[str, Any]] = {}  # user id -> the App Home view
        self.files: dict[str, dict[str, Any]] = {}  # file id -> name, content, and where it was shared
        self.calls: list[Call] = []
        self.failures: dict[str, list[str]] = {}  # method -> errors to answer next ("ratelimited", "fatal_error")
        # method -> how its next answers get lost, once each, after doing what was asked: LATE (held
        # back past the bot's time-out) or DROPPED (the connection closed without an answer)
        self.unanswered: dict[str, list[str]] = {}
        self.per_channel_per_second = per_channel_per_second
        self._sent_at: dict[str, list[float]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.bot_url = ""  # where the bot listens for Slack's requests
        self.socket: web.WebSocketResponse | None = None  # the bot's Socket Mode connection
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.posted: list[tuple[bytes, dict[str, str]]] = []  # what it posted to the bot over HTTP, as sent

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._endpoint)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket_mode)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def add_user(self, user_id: str, name: str, locale: str = "nl-NL") -> User:
        self.users[user_id] = User(user_id, name, locale)
        return self.users[user_id]

    # -- what tests look at ------------------------------------------------------------------

    def refused(self) -> list[Call]:
        return [call for call in self.calls if call.error]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and not call.error]

    def in_channel(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel and m.user is None]

    def dm(self, user_id: str) -> list[Message]:
        return self.in_channel(f"D{user_id}")

    # -- the Web API -------------------------------------------------------------------------

    async def _endpoint(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(request.query) | dict(await request.post())
        try:
            token = APP_TOKEN if method == "apps.connections.open" else self.token
            if request.headers.get("Authorization") != f"Bearer {token}" and params.get("token") != token:
                raise SlackError("invalid_auth")
            if self.failures.get(method):
                error = self.failures[method].pop(0)
                raise SlackError(
                    error, *((429, 1) if error == "ratelimited" else (500,) if error == "fatal_error" else ())
                )
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackError("unknown_method")
            result = handler(params)
        except SlackError as error:
            self.calls.append(Call(method, params, error.error))
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}
            return web.json_response({"ok": False, "error": error.error}, status=error.status, headers=headers)
        self.calls.append(Call(method, params))
        lost = self.unanswered[method].pop(0) if self.unanswered.get(method) else None
        if lost == DROPPED:
            assert request.transport is not None
            request.transport.abort()  # done, but the answer never reaches the bot
        elif lost == LATE:
            await asyncio.sleep(LATE_BY)
        return web.json_response({"ok": True, **result})

    def _channel(self, channel: Any) -> str:
        channel = str(channel or "")
        if channel.startswith("D"):
            user = self.users.get(channel[1:])
            if user is None:
                raise SlackError("channel_not_found")
            if user.deleted:
                raise SlackError("account_inactive")
        elif channel not in self.channels:
            raise SlackError("channel_not_found" if not channel.startswith("C") else "not_in_channel")
        return channel

    def _content(self, params: dict[str, Any], limit: int = 50) -> tuple[str, list[dict[str, Any]]]:
        blocks = params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        check_blocks(blocks, limit)
        text = params.get("text") or ""
        if not text and not blocks:
            raise SlackError("no_text")
        if len(text) > 40000:
            raise SlackError("msg_too_long")
        return text, blocks

    def _rate(self, channel: str) -> None:
        if self.per_channel_per_second is None:
            return
        now = time.monotonic()
        recent = [t for t in self._sent_at.get(channel, []) if now - t < 1.0]
        if len(recent) >= self.per_channel_per_second:
            raise SlackError("ratelimited", 429, 1)
        self._sent_at[channel] = [*recent, now]

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://kortrijk2030.slack.com/",
            "team": "Kortrijk 2030",
            "user": "gangmaker",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "BGANGMAKER",
        }

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel the bot is in (`channels`), another public one ("C…", as `_channel` takes it), or none."""
        channel = str(params.get("channel") or "")
        if channel not in self.channels and not channel.startswith("C"):
            raise SlackError("channel_not_found")
        member = channel in self.channels
        return {"channel": {"id": channel, "name": channel.lower(), "is_archived": False, "is_member": member}}

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.url.replace("http://", "ws://") + "/link"}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user")))
        if user is None:
            raise SlackError("user_not_found")
        return {
            "user": {
                "id": user.id,
                "name": user.name,
                "real_name": user.name,
                "deleted": user.deleted,
                "locale": user.locale,
                "team_id": TEAM,
            }
        }

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users") or "")
        if "," in users or users not in self.users:
            raise SlackError("user_not_found")
        return {"channel": {"id": self._channel(f"D{users}")}}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        text, blocks = self._content(params)
        self._rate(channel)
        message = Message(
            channel, f"{int(time.time())}.{next(self._ts):06d}", text, blocks, thread_ts=params.get("thread_ts")
        )
        self.messages.append(message)
        return {"channel": channel, "ts": message.ts, "message": {"text": text, "blocks": blocks}}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        text, blocks = self._content(params)
        message = Message(channel, f"{int(time.time())}.{next(self._ts):06d}", text, blocks, user=params.get("user"))
        self.messages.append(message)
        return {"message_ts": message.ts}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        found = next((m for m in self.messages if m.channel == channel and m.ts == params.get("ts")), None)
        if found is None:
            raise SlackError("message_not_found")
        found.text, found.blocks = self._content(params)
        return {"channel": channel, "ts": found.ts, "text": found.text}

    def _view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        check_blocks(view.get("blocks"), 100)
        try:
            View(**view).to_dict()
        except (SlackObjectFormationError, TypeError) as error:
            raise SlackError("invalid_arguments") from error
        return view

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        view = {**self._view(params), "id": f"V{next(self._ids):05d}"}
        self.views[view["id"]] = view
        return {"view": view}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("view_id") not in self.views:
            raise SlackError("not_found")
        view = {**self._view(params), "id": params["view_id"]}
        self.views[view["id"]] = view
        return {"view": view}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if str(params.get("user_id")) not in self.users:
            raise SlackError("user_not_found")
        view = self._view(params)
        if view.get("type") != "home":
            raise SlackError("invalid_arguments")
        self.homes[params["user_id"]] = view
        return {"view": view}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):05d}"
        self.files[file_id] = {"name": params["filename"], "content": None, "channel": None}
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        if found is None:
            return web.Response(status=404)
        found["content"] = await request.read()
        return web.Response(text="OK - " + str(len(found["content"])))

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        shared = []
        for item in files or []:
            found = self.files.get(item.get("id"))
            if found is None or found["content"] is None:
                raise SlackError("file_not_found")
            found["channel"] = self._channel(params.get("channel_id"))
            found["comment"] = params.get("initial_comment")
            shared.append({"id": item["id"], "name": found["name"]})
        return {"files": shared}

    # -- Slack's requests to the bot ------------------------------------------------------------

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        """The bot's Socket Mode connection: Slack says hello, then takes the acknowledgements."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "connection_info": {"app_id": "AGANGMAKER"},
                "debug_info": {"host": "fake", "approximate_connection_time": 18060},
            }
        )
        self.socket = socket
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                waiting = self._acks.pop(ack.get("envelope_id", ""), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(ack)
        if self.socket is socket:
            self.socket = None
        return socket

    async def _envelope(self, body: str, content_type: str, retry: int | None) -> tuple[int, str]:
        """A request as a Socket Mode envelope; the ack's payload is the answer."""
        if content_type == "application/json":
            kind, payload = "events_api", json.loads(body)
        else:
            form = dict(parse_qsl(body))
            kind, payload = (
                ("interactive", json.loads(form["payload"])) if "payload" in form else ("slash_commands", form)
            )
        envelope_id = f"env-{next(self._ids)}"
        self._acks[envelope_id] = asyncio.get_running_loop().create_future()
        assert self.socket is not None
        await self.socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                **({"retry_attempt": retry, "retry_reason": "timeout"} if retry else {}),
            }
        )
        ack = await asyncio.wait_for(self._acks[envelope_id], 3.0)  # Slack's limit for an acknowledgement
        return 200, json.dumps(ack["payload"]) if ack.get("payload") else ""

    async def post(
        self, body: str, content_type: str, *, signed: bool = True, age: int = 0, retry: int | None = None
    ) -> tuple[int, str]:
        """Post a request to the bot as Slack would, signed `age` seconds ago (over the Socket
        Mode connection instead when the bot has one open)."""
        if self.socket is not None:
            return await self._envelope(body, content_type, retry)
        timestamp = str(int(time.time()) - age)
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp}
        if signed:
            headers["X-Slack-Signature"] = SignatureVerifier(self.secret).generate_signature(
                timestamp=timestamp, body=body
            )
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        self.posted.append((body.encode(), headers))
        return await self._send(body.encode(), headers)

    async def replay(self, index: int = -1) -> tuple[int, str]:
        """Post a request sent before once more, byte for byte with its signature and timestamp
        (someone who captured it, within Slack's five minutes)."""
        return await self._send(*self.posted[index])

    async def _send(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with (
            ClientSession() as session,
            session.post(self.bot_url, data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def command(self, user_id: str, text: str, *, channel: str | None = None, **options: Any) -> tuple[int, str]:
        """A slash command (/gangmaker TEXT) typed by the user."""
        form = {
            "token": "x",
            "team_id": TEAM,
            "channel_id": channel or f"D{user_id}",
            "user_id": user_id,
            "user_name": self.users[user_id].name,
            "command": "/gangmaker",
            "text": text,
            "response_url": f"{self.url}/respond",
            "trigger_id": f"trigger-{next(self._ids)}",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **options)

    async def interact(self, payload: dict[str, Any], **options: Any) -> tuple[int, str]:
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **options
        )

    async def tap(self, user_id: str, message: Message, label: str, **options: Any) -> tuple[int, str]:
        """Press the button labelled `label` on a message the bot sent."""
        return await self._press(
            user_id,
            message.blocks,
            label,
            {
                "container": {"type": "message", "channel_id": message.channel, "message_ts": message.ts},
                "channel": {"id": message.channel},
                "message": {"ts": message.ts, "text": message.text},
            },
            **options,
        )

    async def tap_home(self, user_id: str, label: str, **options: Any) -> tuple[int, str]:
        """Press the first button labelled `label` on the person's App Home."""
        home = self.homes[user_id]
        return await self._press(
            user_id,
            home["blocks"],
            label,
            {"container": {"type": "view", "view_id": "VHOME"}, "view": {**home, "id": "VHOME"}},
            **options,
        )

    async def _press(
        self, user_id: str, blocks: list[dict[str, Any]], label: str, where: dict[str, Any], **options: Any
    ) -> tuple[int, str]:
        button = next(
            element
            for block in blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["text"]["text"].removeprefix("✅ ") == label
        )
        return await self.interact(
            {
                "type": "block_actions",
                "user": {"id": user_id, "team_id": TEAM},
                "team": {"id": TEAM},
                "api_app_id": "AGANGMAKER",
                "trigger_id": f"trigger-{next(self._ids)}",
                **where,
                "response_url": f"{self.url}/respond",
                "actions": [
                    {
                        "type": "button",
                        "action_id": button["action_id"],
                        "block_id": "b",
                        "value": button.get("value", ""),
                        "action_ts": str(time.time()),
                    }
                ],
            },
            **options,
        )

    async def submit(
        self, user_id: str, view_id: str, values: dict[str, dict[str, Any]], **options: Any
    ) -> tuple[int, str]:
        """Submit an open modal; `values` per block id: the element's state as Slack sends it."""
        view = self.views[view_id]
        state = {block_id: {block_id: value} for block_id, value in values.items()}
        return await self.interact(
            {
                "type": "view_submission",
                "user": {"id": user_id, "team_id": TEAM},
                "team": {"id": TEAM},
                "api_app_id": "AGANGMAKER",
                "trigger_id": f"trigger-{next(self._ids)}",
                "view": {**view, "state": {"values": state}},
            },
            **options,
        )

    async def event(self, event: dict[str, Any], **options: Any) -> tuple[int, str]:
        body = json.dumps(
            {
                "token": "x",
                "team_id": TEAM,
                "api_app_id": "AGANGMAKER",
                "type": "event_callback",
                "event_id": f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return await self.post(body, "application/json", **options)
