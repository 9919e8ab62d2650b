"""Fixtures for the Telegram channel: the fake Bot API, and the real bot running against it."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from functools import partial

import pytest

from bot.assembly import Assembly, assemble
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Settings, load_settings
from bot.core import Gangmaker
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.metrics import TOKEN
from tests.auxil.telegram_user import TelegramUser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningBot:
    """The bot as deployed: core + Telegram channel (+ web server in webhook mode)."""

    fake: FakeTelegram
    assembly: Assembly

    @property
    def settings(self) -> Settings:
        return self.assembly.settings

    @property
    def core(self) -> Gangmaker:
        return self.assembly.core

    @property
    def channel(self) -> TelegramChannel:
        return self.assembly.channels["telegram"]

    def user(self, user_id: int = 1001, first_name: str = "Anna", language_code: str | None = "nl") -> TelegramUser:
        return TelegramUser(self.fake, user_id, first_name, language_code)

    async def stop(self) -> None:
        await self.assembly.stop()


def telegram_settings(fake: FakeTelegram, mode: str, **extra: object) -> Settings:
    # Turns back to back, as a test sends them, would wait for Telegram's steady pace (about 30/s);
    # the fake refuses nothing unless a test sets its rate, and then the test sets ours too.
    values: dict[str, object] = dict(
        telegram_token=fake.token,
        telegram_base_url=fake.url,
        telegram_rate=1000,
        telegram_poll_timeout=1,
        database_url="sqlite://",
        _env_file=None,
    )
    if mode == "webhook":
        values |= dict(
            telegram_webhook_url=f"http://127.0.0.1:{free_port()}/telegram/hook",
            telegram_webhook_secret="s3cret-Token_1",
            host="127.0.0.1",
            metrics_token=TOKEN,
        )
    return load_settings(**(values | extra))


async def start_bot(fake: FakeTelegram, settings: Settings, engine, clock) -> RunningBot:
    """The bot as `gangmaker serve` assembles it; the tests drive the scheduler by hand."""
    if settings.telegram_webhook_url is not None:
        settings = settings.model_copy(update={"port": int(settings.telegram_webhook_url.split(":")[2].split("/")[0])})
    # Retries a hundredth of a second apart: a test that has Telegram fail waits no longer than that.
    assembly = await assemble(
        settings, engine=engine, clock=clock, channels=[partial(TelegramChannel, retry_wait=0.01)]
    )
    await assembly.start(scheduler=False, serve_web=settings.telegram_webhook_url is not None)
    return RunningBot(fake, assembly)


@pytest.fixture
async def fake_telegram():
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()
    # The bot never sends what the real Bot API would refuse.
    assert fake.refused(400) == [], [(c.method, c.description) for c in fake.refused(400)]


@pytest.fixture(params=["polling", "webhook"])
async def telegram(request, fake_telegram, engine, clock):
    running = await start_bot(fake_telegram, telegram_settings(fake_telegram, request.param), engine, clock)
    yield running
    await running.stop()
