"""Logging set-up: readable lines, third-party request chatter kept out, and no secret in any line."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# httpx logs every request with its full URL at info level, and the Bot API URL holds the bot token;
# aiosqlite logs every statement at debug level.
CHATTY = ("httpx", "httpcore", "aiosqlite")
MASK = "***"


class Redacting(logging.Formatter):
    """Formats as usual, then masks every secret, in the message and in a traceback alike."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a token is masked whole before any part of it.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return line


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings, and the parts of them that act as a secret alone."""
    values = [getattr(settings, name).get_secret_value() for name, field in type(settings).model_fields.items()
              if isinstance(getattr(settings, name), SecretStr)]
    parts = [value.split(":", 1)[1] for value in values if ":" in value]  # a Telegram token's secret half
    password = make_url(settings.database_url).password
    return [*values, *parts, *([password] if password else [])]


def configure(settings: Settings, level: str | int | None = None) -> None:
    """Log at `level` (default: the settings' LOG_LEVEL) to stderr, through the redacting formatter."""
    level = level if level is not None else settings.log_level
    logging.basicConfig(level=level)
    formatter = Redacting(secrets_of(settings))
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
