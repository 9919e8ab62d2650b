"""Settings read from the environment and an optional `.env` file, validated at start."""

from __future__ import annotations

import os
import re
import socket
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

Locale = Literal["nl", "en", "fr"]

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def normalise_database_url(value: str) -> str:
    """Return the async SQLAlchemy URL for a SQLite or PostgreSQL URL, or raise ValueError."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError("is not a database URL (example: sqlite:///gangmaker.db)") from None
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(f"uses '{url.drivername}'; only sqlite and postgresql are supported")
    return url.set(drivername=driver).render_as_string(hide_password=False)


# Slack's ids: a channel's starts with C (G for an older private one), a person's with U (W in an Enterprise Grid).
SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]+")
SLACK_TOKEN_KINDS = {
    "xoxb-": "a bot token",
    "xapp-": "an app-level token (SLACK_APP_TOKEN)",
    "xoxp-": "a user token",
    "xoxe-": "a refresh token",
}


class Settings(BaseSettings):
    """Everything Gangmaker reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///gangmaker.db"
    # PostgreSQL connections this instance keeps open; under load it opens up to twice as many more.
    database_pool_size: int = Field(default=10, ge=1, le=100)
    database_fast_commit: bool = False  # PostgreSQL: synchronous_commit off (see storage.db.create_engine)
    # "module:function" returning the application description the core runs.
    gangmaker_application: str = "handlers.app:application"
    default_locale: Locale = "nl"
    timezone: str = "Europe/Brussels"
    privacy_contact: str = "privacy@kortrijk.be"
    privacy_version: str = "2026-11"
    max_text_length: int = Field(default=1000, ge=50, le=4000)
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_poll_timeout: int = Field(default=10, ge=0, le=50)
    # Messages per second this instance sends to Telegram overall (Telegram takes about 30 per bot in
    # all: with several instances give each its share, two: 15), and the most the outbox may use for
    # broadcasts: replies go first, broadcasts take what they leave (bot.channels.telegram_limits).
    telegram_rate: float = Field(default=30, gt=0, le=1000)
    telegram_broadcast_rate: float = Field(default=25, gt=0, le=1000)
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    # What a scraper shows as `Authorization: Bearer …` to read /metrics; without it /metrics is not served.
    metrics_token: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None  # another Web API host (GovSlack), or a test server
    slack_coordinators_channel: str | None = None  # channel id of the coordinators' shared room
    slack_partners_channel: str | None = None  # channel id of the partners' shared room
    coordinator_telegram_ids: Annotated[list[int], NoDecode] = []
    coordinator_console_users: Annotated[list[str], NoDecode] = []
    partner_console_users: Annotated[list[str], NoDecode] = []  # "user=organisation"
    slack_coordinator_ids: Annotated[list[str], NoDecode] = []
    telegram_bot_username: str = "GangmakerBot"  # for deep links and QR codes
    push_weekly_cap: int = Field(default=3, ge=1, le=50)
    waitlist_offer_hours: int = Field(default=12, ge=1, le=168)
    retention_months: int = Field(default=24, ge=1, le=120)  # erase people inactive this long
    # Messages the dispatcher sends at once. 1 means a crash can repeat at most one message;
    # more is faster over a slow link but may repeat up to that many.
    outbox_concurrency: int = Field(default=4, ge=1, le=32)
    outbox_lease_seconds: int = Field(default=120, ge=1, le=3600)  # a claimed row is retried after this
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line, for a log collector
    # Names this process in every log line and in /metrics; default: hostname:pid.
    instance_name: str | None = None
    sentry_dsn: SecretStr | None = None  # errors go to Sentry, personal data scrubbed
    # How often the scheduled checks wake; the leader's successor takes over at the next wake.
    checks_interval_seconds: int = Field(default=30, ge=1, le=600)
    # Messages and taps one person may send per window before they are told to slow down.
    flood_limit: str = "40/minute"

    @property
    def instance(self) -> str:
        """This process's name in logs and metrics."""
        return self.instance_name or f"{socket.gethostname()}:{os.getpid()}"

    @field_validator("flood_limit")
    @classmethod
    def _flood_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # "40/minute", "100 per hour"...: a ValueError otherwise
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("telegram_base_url", "telegram_webhook_url", "slack_api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _bot_username(cls, value: str) -> str:
        # Telegram's rule for a bot's username; a wrong one prints posters and pages with dead links.
        if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", value) or not value.lower().endswith("bot"):
            raise ValueError(
                "must be the bot's username as Telegram spells it, without @: 5 to 32 characters "
                "(A-Z, a-z, 0-9 and _), ending in bot"
            )
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for setWebhook's secret_token.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("may only hold A-Z, a-z, 0-9, _ and -, 1 to 256 characters")
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _metrics_token(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value in ("", None):
            return None  # `METRICS_TOKEN=` is not set
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9._~+/=-]{16,256}", value):
            raise ValueError(
                "must be 16 to 256 characters without spaces (A-Z, a-z, 0-9 and . _ ~ + / = -), "
                "for example from `openssl rand -hex 32`"
            )
        return value

    @model_validator(mode="after")
    def _broadcasts_leave_room_for_replies(self) -> "Settings":
        if self.telegram_broadcast_rate >= self.telegram_rate:
            raise ValueError("TELEGRAM_BROADCAST_RATE must stay below TELEGRAM_RATE, to leave room for replies")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> "Settings":
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is")
        return self

    @model_validator(mode="after")
    def _slack_needs_secret(self) -> "Settings":
        if self.slack_bot_token and self.slack_signing_secret is None and self.slack_app_token is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) must be set when SLACK_BOT_TOKEN is"
            )
        if self.slack_app_token and self.slack_bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN must be set when SLACK_APP_TOKEN is")
        return self

    @field_validator("slack_bot_token")
    @classmethod
    def _slack_bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Slack's token kinds by prefix: xoxb- bot, xapp- app-level (Socket Mode), xoxp- a person's own.
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            kind = SLACK_TOKEN_KINDS.get(value.get_secret_value()[:5], "not a Slack bot token")
            raise ValueError(
                f"must be the Bot User OAuth Token (xoxb-…, under OAuth & Permissions); this one is {kind}"
            )
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _slack_app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            kind = SLACK_TOKEN_KINDS.get(value.get_secret_value()[:5], "not a Slack app-level token")
            raise ValueError(f"must be the App-Level Token (xapp-…, under Basic Information); this one is {kind}")
        return value

    @field_validator("slack_coordinators_channel", "slack_partners_channel", mode="before")
    @classmethod
    def _slack_channel(cls, value: object) -> object:
        if value in ("", None):
            return None  # `SLACK_PARTNERS_CHANNEL=` is not set
        if not isinstance(value, str) or not SLACK_CHANNEL_ID.fullmatch(value.strip()):
            raise ValueError(
                f"must be a channel id such as C0123ABCDE (at the bottom of the channel's details in Slack), "
                f"not {str(value)!r}"
            )
        return value.strip()

    @field_validator("slack_coordinator_ids")
    @classmethod
    def _slack_user_ids(cls, value: list[str]) -> list[str]:
        wrong = [user for user in value if not SLACK_USER_ID.fullmatch(user)]
        if wrong:
            raise ValueError(
                f"must be Slack user ids such as U0123ABCDE (a person's profile, ⋮, Copy member ID), not {wrong[0]!r}"
            )
        return value

    @field_validator(
        "coordinator_telegram_ids",
        "coordinator_console_users",
        "partner_console_users",
        "slack_coordinator_ids",
        mode="before",
    )
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class ConfigError(Exception):
    """A setting has a wrong value, or one that does not work at start (a token the platform
    refuses, a database that is not there); the message names the variable in one line, never a secret."""


def database_unreachable(url: str, error: BaseException) -> ConfigError:
    """The database DATABASE_URL names cannot be opened: where (its password hidden) and why, in one line."""
    address = make_url(url)
    cause = getattr(error, "orig", None) or error
    reason = (getattr(cause, "strerror", None) or str(cause) or type(cause).__name__).strip()
    reason = reason.splitlines()[0] if reason else type(cause).__name__
    if address.password:
        reason = reason.replace(str(address.password), "***")
    shown = address.set(drivername=address.get_backend_name()).render_as_string(hide_password=True)
    return ConfigError(f"Configuration error: DATABASE_URL: cannot open the database {shown} ({reason}).")


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one clear ConfigError line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{str(error['loc'][0]).upper()} {message}" if error["loc"] else message)
        raise ConfigError("Configuration error: " + "; ".join(problems)) from None


# What each setting is for, as docs/deploy.md shows it (`gangmaker config table` prints the table).
DESCRIPTIONS = {
    "database_url": "SQLite (`sqlite:///gangmaker.db`, one instance) or PostgreSQL (`postgresql://user:pass@host/db`, "
    "several instances).",
    "database_fast_commit": "PostgreSQL only: `true` lets a commit return before it reached the disk (synchronous_commit "
    "off), faster on a busy disk, but the last 0.6 s of commits are lost if the database server crashes.",
    "database_pool_size": "PostgreSQL connections each instance keeps open; under load it opens up to twice as many "
    "more (PostgreSQL allows 100 in all by default: mind the instances).",
    "gangmaker_application": "The application the core runs, as `module:function`.",
    "default_locale": "Language for people whose language is not known yet: `nl`, `en` or `fr`.",
    "timezone": "Time zone in which times are shown and typed.",
    "privacy_contact": "Address people can write to about their data (shown in `/privacy`).",
    "privacy_version": "Version of the privacy text people consent to; a new one asks consent again.",
    "max_text_length": "Longest answer kept from one message (characters, 50–4000).",
    "telegram_token": "Bot token from @BotFather; runs the Telegram channel. Secret.",
    "telegram_base_url": "Another Bot API server (self-hosted, or a test server).",
    "telegram_webhook_url": "Public HTTPS URL of the webhook; without it the bot long-polls (one instance only).",
    "telegram_webhook_secret": "Secret Telegram sends in a header with every webhook call (A–Z, a–z, 0–9, _ and -). "
    "Secret.",
    "telegram_poll_timeout": "Seconds one long poll waits for updates (0–50).",
    "telegram_rate": "Bot API requests per second from this instance (Telegram allows about 30 per bot in all: "
    "with N instances set 30/N).",
    "telegram_broadcast_rate": "Broadcast messages per second at most, evenly spaced, within `TELEGRAM_RATE`: replies "
    "go first and broadcasts take what they leave (must stay below `TELEGRAM_RATE`).",
    "host": "Address the web server listens on.",
    "port": "Port of the web server (webhooks, `/slack/events`, `/healthz`, `/metrics`, `/impact`); a PaaS sets it.",
    "metrics_token": "Token a Prometheus scraper sends as `Authorization: Bearer …` to read `/metrics` "
    "(16 characters or more, e.g. `openssl rand -hex 32`); without it `/metrics` is not served. Secret.",
    "slack_bot_token": "Bot User OAuth Token (`xoxb-…`); runs the Slack channel. Secret.",
    "slack_app_token": "App-level token (`xapp-…`) for Socket Mode, instead of a public URL. Secret.",
    "slack_signing_secret": "Signing secret that Slack's HTTP requests are checked against. Secret.",
    "slack_api_url": "Another Slack Web API host (GovSlack), or a test server.",
    "slack_coordinators_channel": "Channel id of the coordinators' shared room.",
    "slack_partners_channel": "Channel id of the partners' shared room.",
    "coordinator_telegram_ids": "Telegram user ids granted the coordinator role at each start (comma-separated).",
    "coordinator_console_users": "Console users granted the coordinator role at each start (comma-separated).",
    "partner_console_users": "Console users made partners of an organisation at each start, as `user=organisation` "
    "(comma-separated; the organisation is made when missing).",
    "slack_coordinator_ids": "Slack user ids granted the coordinator role at each start (comma-separated).",
    "telegram_bot_username": "The bot's Telegram username, for deep links and QR codes.",
    "push_weekly_cap": "Calls and overviews per person per week, at most (reminders do not count).",
    "waitlist_offer_hours": "Hours someone on a waitlist has to take a freed place.",
    "retention_months": "Months of silence after which everything about a person is erased.",
    "outbox_concurrency": "Messages the outbox sends at once per instance; a crash may repeat up to this many.",
    "outbox_lease_seconds": "Seconds after which a message claimed by a crashed instance is sent again.",
    "log_level": "`DEBUG`, `INFO`, `WARNING` or `ERROR`.",
    "log_format": "`text` (readable lines) or `json` (one JSON object per line).",
    "instance_name": "This process's name in logs and `/metrics` (default: hostname:pid).",
    "sentry_dsn": "Sentry project DSN: errors are reported there, without personal data or secrets. Secret.",
    "checks_interval_seconds": "Seconds between scheduled checks; after a leader dies another leads at its next wake.",
    "flood_limit": "Messages and taps one person may send per window, e.g. `40/minute`.",
}


def settings_table() -> str:
    """Every environment variable as a Markdown table, from the Settings class itself."""
    lines = ["| Variable | Default | What it is for |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if name not in DESCRIPTIONS:
            raise KeyError(f"{name.upper()} has no description in bot.config.DESCRIPTIONS")
        default = field.get_default(call_default_factory=True)
        shown = "" if default in (None, [], "") else f"`{default}`"
        lines.append(f"| `{name.upper()}` | {shown} | {DESCRIPTIONS[name]} |")
    return "\n".join(lines) + "\n"
