"""Logging set-up: readable lines or JSON lines, each naming the instance, channel and turn, and no secret in any."""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, TextIO, TypeVar

from aiohttp.http_exceptions import HttpProcessingError
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.config import Settings

# Sentry's events and breadcrumbs come back as they went in, masked.
Scrubbed = TypeVar("Scrubbed")

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(instance)s %(channel)s %(turn)s]: %(message)s"
# httpx logs every request with its full URL at info level, and the Bot API URL holds the bot token;
# aiosqlite logs every statement at debug level; APScheduler two lines a second for the outbox tick.
CHATTY = ("httpx", "httpcore", "aiosqlite", "apscheduler.executors.default")
MASK = "***"
# Control characters as they would be written in Python ("\\n", "\\x1b"), tab excepted.
ESCAPED = {code: repr(chr(code))[1:-1] for code in (*range(32), 127) if code != 9}

_channel: ContextVar[str] = ContextVar("log_channel", default="-")
_turn: ContextVar[str] = ContextVar("log_turn", default="-")
_person: ContextVar[str] = ContextVar("log_person", default="-")


def pseudonym(channel: str, user_id: str) -> str:
    """A short stable hash of a chat identity: follows one person through the logs without naming them."""
    return hashlib.sha256(f"{channel}:{user_id}".encode()).hexdigest()[:10]


@contextmanager
def turn(channel: str, user_id: str | None = None) -> Iterator[str]:
    """Every line logged inside carries this channel, a fresh turn id and the person's pseudonym."""
    turn_id = uuid.uuid4().hex[:12]
    tokens = (
        _channel.set(channel),
        _turn.set(turn_id),
        _person.set(pseudonym(channel, user_id) if user_id is not None else "-"),
    )
    try:
        yield turn_id
    finally:
        for var, token in zip((_channel, _turn, _person), tokens, strict=True):
            var.reset(token)


class Context(logging.Filter):
    """Adds the instance, the channel, the turn id and the person's pseudonym to each record."""

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance

    def filter(self, record: logging.LogRecord) -> bool:
        record.instance = self.instance
        record.channel, record.turn, record.person = _channel.get(), _turn.get(), _person.get()
        return True


class Redacting(logging.Formatter):
    """Formats as usual, then masks every secret, in the message and in a traceback alike."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a token is masked whole before any part of it.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return line

    def format(self, record: logging.LogRecord) -> str:
        for name in ("instance", "channel", "turn", "person"):
            if not hasattr(record, name):
                setattr(record, name, "-")
        return self.redact(super().format(record))

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        """The message on one line: a line break or control character in it (from a request, a
        command, a name) is escaped, so nobody outside can write a line of their choosing."""
        record.message = record.message.translate(ESCAPED)
        return super().formatMessage(record)


class JsonLines(Redacting):
    """One JSON object per event (time, level, logger, message, instance, channel, turn, person, exception)."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("instance", "channel", "turn", "person"):
            value = getattr(record, name, "-")
            if value != "-":
                event[name] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            event["exception"] = record.exc_text
        # Masked after encoding too: a secret may sit in a traceback, and JSON escapes nothing in a token.
        return self.redact(json.dumps(event, ensure_ascii=False, default=str))


class QuietMalformed(logging.Filter):
    """aiohttp's server logs a request it cannot parse (a request line past its limit, a broken
    header) as an ERROR with a traceback. Anyone can send one, as often as they like: it becomes
    one short INFO line instead, naming the kind of fault and nothing of the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args = "malformed request refused: %s (%d)", (type(error).__name__, error.code)
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info, record.exc_text = None, None
        return True


MALFORMED = QuietMalformed()


def quiet_malformed_requests() -> None:
    """Log what aiohttp's server refuses as malformed in one short line (once per process)."""
    logging.getLogger("aiohttp.server").addFilter(MALFORMED)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings, and the parts of them that act as a secret alone."""
    values = [
        getattr(settings, name).get_secret_value()
        for name, field in type(settings).model_fields.items()
        if isinstance(getattr(settings, name), SecretStr)
    ]
    parts = [value.split(":", 1)[1] for value in values if ":" in value]  # a Telegram token's secret half
    password = make_url(settings.database_url).password
    return [*values, *parts, *([password] if password else [])]


def handler(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler in the settings' LOG_FORMAT, adding the context and masking every secret."""
    out = logging.StreamHandler(stream if stream is not None else sys.stderr)
    kind = JsonLines if settings.log_format == "json" else Redacting
    out.setFormatter(kind(secrets_of(settings)))
    out.addFilter(Context(settings.instance))
    return out


def report_errors(settings: Settings, **options: Any) -> bool:
    """Send errors to Sentry when SENTRY_DSN is set: no personal data (no request bodies, user, local
    variables), and every secret from the settings masked in the events and their breadcrumbs."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk

    mask = Redacting(secrets_of(settings)).redact

    def scrub(item: Scrubbed, hint: dict[str, Any]) -> Scrubbed:
        return json.loads(mask(json.dumps(item, default=str)))

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        server_name=settings.instance,
        before_send=scrub,
        before_breadcrumb=scrub,
        **options,
    )
    return True


def configure(settings: Settings, level: str | int | None = None) -> None:
    """Log at `level` (default: the settings' LOG_LEVEL) to stderr, through the redacting formatter."""
    level = level if level is not None else settings.log_level
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(settings))
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
