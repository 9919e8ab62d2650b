"""A fake Telegram Bot API server on 127.0.0.1 that refuses what the real one would.

It always enforces Telegram's documented rules itself: message text 1-4096 characters,
callback data 1-64 bytes, known chats only, 403 for a chat that blocked the bot, 429 with
retry_after past a configurable rate, "message is not modified" for an edit that changes
nothing, and a callback query answered once. When the published Bot API spec is found
(`TELEGRAM_SPEC`, or `shared/specs` beside the repository), every call is also checked
against it: the method must exist, required parameters be present, no unknown
parameters, and each value of the documented type (objects checked field by field).

Simulated people write to the bot with `send_update`; the bot's traffic is in `calls`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

BESIDE_THE_REPOSITORY = Path(__file__).resolve().parents[3] / "shared" / "specs" / "telegram-bot-api-10.0.json"
# Parameters sent as plain text in a form body (the spec says which, when it is there).
TEXT_PARAMETERS = {"text", "caption", "callback_query_id", "url", "secret_token", "parse_mode", "language_code"}
BOT_ID = 7000000001
BOT_USERNAME = "gangmaker_test_bot"
SENDING = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
# Telegram's own words for an edit that changes nothing and for a callback query answered already
# (or too late); python-telegram-bot drops "Bad Request: " and capitalises the rest.
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    description: str = ""
    # Requests that had arrived, counting this one, when it arrived and when it was answered: the
    # requests that arrived while it was in flight are those numbered in between (an order, no timing).
    arrived: int = 0
    answered: int = 0


@dataclass
class Chat:
    id: int
    first_name: str
    language_code: str | None
    type: str = "private"
    blocked: bool = False
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # the bot's messages, by id


class Spec:
    """The Bot API as published: methods and types with their fields."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text())
        self.path = path
        self.methods = data["methods"]
        self.types = data["types"]

    @classmethod
    def find(cls) -> Spec | None:
        """The spec named by TELEGRAM_SPEC (which must then exist), else the one beside the
        repository, else None: the fake then checks only the rules it knows by itself."""
        named = os.environ.get("TELEGRAM_SPEC")
        if named:
            if not Path(named).is_file():
                raise FileNotFoundError(f"TELEGRAM_SPEC names {named}, which is not a file")
            return cls(Path(named))
        return cls(BESIDE_THE_REPOSITORY) if BESIDE_THE_REPOSITORY.is_file() else None

    def text_parameters(self, method: str) -> set[str]:
        return {f["name"] for f in self.methods.get(method, {}).get("fields", []) if f["types"] == ["String"]}

    def check_call(self, method: str, params: dict[str, Any]) -> None:
        if method not in self.methods:
            raise ApiError(404, "Not Found: method not found")
        fields = {f["name"]: f for f in self.methods[method].get("fields", [])}
        unknown = set(params) - set(fields)
        if unknown:
            raise ApiError(400, f"Bad Request: unknown parameters {sorted(unknown)}")
        for name, spec_field in fields.items():
            if name not in params:
                if spec_field["required"]:
                    raise ApiError(400, f"Bad Request: parameter {name} is required")
                continue
            if not self.fits(params[name], spec_field["types"]):
                raise ApiError(400, f"Bad Request: parameter {name} has the wrong type")

    def fits(self, value: Any, types: list[str]) -> bool:
        return any(self._fits_one(value, kind) for kind in types)

    def _fits_one(self, value: Any, kind: str) -> bool:
        if kind.startswith("Array of "):
            return isinstance(value, list) and all(self._fits_one(v, kind[9:]) for v in value)
        simple = {
            "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "String": lambda v: isinstance(v, str),
            "Boolean": lambda v: isinstance(v, bool),
            "True": lambda v: v is True,
            "InputFile": lambda v: isinstance(v, Upload),
        }
        if kind in simple:
            return simple[kind](value)
        spec_type = self.types.get(kind)
        if spec_type is None or not isinstance(value, dict):
            return False
        if spec_type.get("subtypes"):
            return any(self._fits_one(value, sub) for sub in spec_type["subtypes"])
        fields = {f["name"]: f for f in spec_type.get("fields", [])}
        if set(value) - set(fields):
            return False
        return all(
            self.fits(value[name], f["types"]) if name in value else not f["required"] for name, f in fields.items()
        )


@dataclass
class Upload:
    filename: str
    content: bytes


GATEWAY_PAGE, DROP = "gateway page", "drop"
NGINX_504 = (
    "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    "<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    + "<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n"
    * 6
)


class FakeTelegram:
    """The server, its chats, and the traffic it saw."""

    def __init__(self, token: str = "7000000001:TEST-token", rate_per_second: float | None = None) -> None:
        self.token = token
        self.spec = Spec.find()
        self.calls: list[Call] = []
        self.arrivals = 0  # requests to a method that arrived so far
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []
        self.delivered_offset = 0
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.rate_per_second = rate_per_second
        self.send_delay = 0.0
        # method -> what to answer next: an HTTP status (a JSON error), GATEWAY_PAGE (an HTML error
        # page from a proxy) or DROP (do it, then close the connection without an answer)
        self.failures: dict[str, list[int | str]] = {}
        self.open_queries: dict[str, int] = {}  # callback query id -> chat id
        self._sent_at: list[float] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._endpoint)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests look at --------------------------------------------------------------

    def refused(self, *statuses: int) -> list[Call]:
        """Calls the server refused (with these statuses, or any 4xx)."""
        return [c for c in self.calls if (c.status in statuses if statuses else 400 <= c.status < 500)]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    # -- the Bot API ---------------------------------------------------------------------

    async def _endpoint(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request, method)
        self.arrivals += 1
        arrived = self.arrivals

        def record(status: int, description: str = "") -> None:
            self.calls.append(Call(method, params, status, description, arrived, self.arrivals))

        try:
            if self.spec is not None:
                self.spec.check_call(method, params)
            elif not hasattr(self, f"_{method}"):
                raise ApiError(404, "Not Found: method not found")
            failure = self.failures[method].pop(0) if self.failures.get(method) else None
            if failure == GATEWAY_PAGE:
                record(504, "gateway page")
                return web.Response(status=504, text=NGINX_504, content_type="text/html")
            if isinstance(failure, int):
                raise ApiError(
                    failure,
                    "Internal Server Error" if failure >= 500 else "Too Many Requests: retry after 1",
                    retry_after=1 if failure == 429 else None,
                )
            self._check_rate(method)
            result = await getattr(self, f"_{method}")(params)
            if failure == DROP:
                record(200, "answer dropped")
                request.transport.abort()  # done, but the answer never reaches the bot
                return web.Response()
        except ApiError as error:
            record(error.status, error.description)
            body: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return web.json_response(body, status=error.status)
        record(200)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request, method: str) -> dict[str, Any]:
        """Parameters from JSON, form or multipart bodies, typed by the spec like the real server."""
        if request.content_type == "application/json":
            return await request.json()
        raw: dict[str, Any] = {}
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if part.filename:
                    raw[part.name] = Upload(part.filename, await part.read())
                else:
                    raw[part.name] = await part.text()
        else:
            raw = dict(await request.post()) | dict(request.query)
        texts = self.spec.text_parameters(method) if self.spec is not None else TEXT_PARAMETERS
        params: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, Upload):
                params[name] = value
            elif isinstance(value, str) and value.startswith("attach://"):
                params[name] = raw.get(value.removeprefix("attach://"))
            elif name in texts:
                params[name] = value
            else:
                try:
                    params[name] = json.loads(value)
                except json.JSONDecodeError:
                    params[name] = value
        attached = {
            value.removeprefix("attach://")
            for value in raw.values()
            if isinstance(value, str) and value.startswith("attach://")
        }
        return {name: value for name, value in params.items() if name not in attached}

    def _check_rate(self, method: str) -> None:
        if method not in SENDING or self.rate_per_second is None:
            return
        now = time.monotonic()
        self._sent_at = [t for t in self._sent_at if now - t < 1.0]
        if len(self._sent_at) >= self.rate_per_second:
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._sent_at.append(now)

    def _chat(self, chat_id: Any) -> Chat:
        chat = self.chats.get(int(chat_id)) if str(chat_id).lstrip("-").isdigit() else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _check_text(self, text: str | None, *, limit: int = 4096, what: str = "message text") -> None:
        if not text or not text.strip():
            raise ApiError(400, f"Bad Request: {what} is empty")
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if markup is None:
            return
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if rows is None:
            return
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")

    def bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Gangmaker", "username": BOT_USERNAME}

    def _message(self, chat: Chat, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat.id, "type": chat.type, "first_name": chat.first_name},
            "from": self.bot_user(),
            **{k: v for k, v in content.items() if v is not None},
        }
        chat.messages[message["message_id"]] = message
        return message

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset") or 0
        self.delivered_offset = max(self.delivered_offset, offset)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            pending = [u for u in self.updates if u["update_id"] >= self.delivered_offset]
            if pending or time.monotonic() >= deadline:
                return pending[: params.get("limit") or 100]
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(deadline - time.monotonic(), 0.01))
            except TimeoutError:
                pass

    async def _setWebhook(self, params: dict[str, Any]) -> bool:
        secret = params.get("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256):
            raise ApiError(400, "Bad Request: secret token is invalid")
        self.webhook = {"url": params["url"], "secret_token": secret}
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _setMyCommands(self, params: dict[str, Any]) -> bool:
        for command in params["commands"]:
            name, description = command["command"], command["description"]
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code")] = params["commands"]
        return True

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.send_delay:
            await asyncio.sleep(self.send_delay)  # a slower link, for crash tests and benchmarks
        chat = self._chat(params["chat_id"])
        self._check_text(params["text"])
        self._check_markup(params.get("reply_markup"))
        return self._message(chat, text=params["text"], reply_markup=params.get("reply_markup"))

    async def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        if params.get("caption"):
            self._check_text(params["caption"], limit=1024, what="caption")
        photo = [{"file_id": "sent-photo", "file_unique_id": "u1", "width": 90, "height": 90}]
        return self._message(chat, photo=photo, caption=params.get("caption"))

    async def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        upload = params["document"]
        if not isinstance(upload, Upload) or not upload.content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if params.get("caption"):
            self._check_text(params["caption"], limit=1024, what="caption")
        document = {
            "file_id": f"doc-{len(self.calls)}",
            "file_unique_id": "d1",
            "file_name": upload.filename,
            "file_size": len(upload.content),
        }
        message = self._message(chat, document=document, caption=params.get("caption"))
        message["_content"] = upload.content
        return {k: v for k, v in message.items() if k != "_content"}

    def _edited(self, params: dict[str, Any]) -> tuple[Chat, dict[str, Any]]:
        chat = self._chat(params.get("chat_id"))
        message = chat.messages.get(params.get("message_id"))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message

    async def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._edited(params)
        self._check_text(params["text"])
        self._check_markup(params.get("reply_markup"))
        if params["text"] == message.get("text") and params.get("reply_markup") == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"], message["reply_markup"] = params["text"], params.get("reply_markup")
        return message

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._edited(params)
        self._check_markup(params.get("reply_markup"))
        if params.get("reply_markup") == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if self.open_queries.pop(params["callback_query_id"], None) is None:
            raise ApiError(400, QUERY_TOO_OLD)
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    # -- the people on the other side ----------------------------------------------------

    def add_chat(
        self, chat_id: int, first_name: str, language_code: str | None = "nl", chat_type: str = "private"
    ) -> Chat:
        chat = self.chats.setdefault(chat_id, Chat(chat_id, first_name, language_code, chat_type))
        return chat

    async def send_update(self, update: dict[str, Any], update_id: int | None = None) -> int | None:
        """Deliver an update: POST it to the webhook, or queue it for getUpdates.

        Returns the webhook's HTTP status (None when queued for polling)."""
        update = {"update_id": update_id if update_id is not None else next(self._update_ids), **update}
        if self.webhook is None:
            self.updates.append(update)
            self._new_update.set()
            return None
        headers = {}
        if self.webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with ClientSession() as session:
            async with session.post(self.webhook["url"], json=update, headers=headers) as response:
                return response.status

    def new_query_id(self, chat_id: int) -> str:
        query_id = f"q{next(self._update_ids)}"
        self.open_queries[query_id] = chat_id
        return query_id
