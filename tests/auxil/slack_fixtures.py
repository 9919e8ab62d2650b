"""Fixtures for the Slack channel: the fake Slack, and the real bot (Bolt on the bot's web server) against it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.assembly import Assembly, assemble
from bot.config import load_settings
from tests.auxil.fake_slack import APP_TOKEN, FakeSlack
from tests.auxil.telegram_fixtures import free_port

COORDINATORS_ROOM = "CCOORD"
PARTNERS_ROOM = "CPARTNERS"


@dataclass
class SlackBot:
    """The bot as `gangmaker serve` runs it with Slack configured; the scheduler is driven by hand."""

    fake: FakeSlack
    assembly: Assembly

    async def until(self, found: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait for what the bot does after acknowledging a request (Slack gets the ack first)."""
        for _ in range(int(timeout / 0.02)):
            result = found()
            if result:
                return result
            await asyncio.sleep(0.02)
        raise AssertionError("the bot did not do it in time")

    async def stop(self) -> None:
        await self.assembly.stop()


async def start_slack_bot(fake: FakeSlack, engine, clock, *, socket_mode: bool = False, **extra: object) -> SlackBot:
    """The bot with Slack over HTTP (signed requests to its web server), or over Socket Mode
    (an app token and no signing secret: Slack's requests come over the bot's WebSocket)."""
    port = free_port()
    fake.channels.update({COORDINATORS_ROOM, PARTNERS_ROOM})  # the rooms' channels exist, the bot in them
    transport = {"slack_app_token": APP_TOKEN} if socket_mode else {"slack_signing_secret": fake.secret}
    settings = load_settings(
        slack_bot_token=fake.token,
        **transport,
        slack_api_url=f"{fake.url}/api",
        slack_coordinators_channel=COORDINATORS_ROOM,
        slack_partners_channel=PARTNERS_ROOM,
        host="127.0.0.1",
        port=port,
        database_url="sqlite://",
        _env_file=None,
        **extra,
    )
    assembly = await assemble(settings, engine=engine, clock=clock)
    await assembly.start(scheduler=False)
    fake.bot_url = f"http://127.0.0.1:{port}/slack/events"
    running = SlackBot(fake, assembly)
    if socket_mode:
        await running.until(lambda: fake.socket)
    return running


@pytest.fixture
async def fake_slack():
    fake = FakeSlack()
    await fake.start()
    fake.channels.update({COORDINATORS_ROOM, PARTNERS_ROOM})
    yield fake
    await fake.stop()
    # The bot never sends what Slack would refuse.
    assert fake.refused() == [], [(c.method, c.error) for c in fake.refused()]


@pytest.fixture
async def slack(request, fake_slack, engine, clock):
    """The bot on Slack over HTTP; over Socket Mode for a test parametrized with "socket"."""
    fake_slack.add_user("UCOCO", "coco")
    fake_slack.add_user("UPIA", "pia", locale="fr-FR")
    running = await start_slack_bot(
        fake_slack,
        engine,
        clock,
        slack_coordinator_ids="UCOCO",
        socket_mode=getattr(request, "param", "http") == "socket",
    )
    yield running
    await running.stop()
