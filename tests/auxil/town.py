"""A town with both platforms: residents on the fake Telegram, coordinators and partners on the
fake Slack, one bot serving both (its scheduler and outbox driven by hand, as in `city`)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.auxil.city import build_city
from tests.auxil.fake_slack import FakeSlack, Message
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM


@pytest.fixture
async def town(request, fake_telegram, fake_slack, engine, clock):
    """The town; a test parametrized indirectly gives settings of its own (`{"max_text_length": 4000}`)."""
    fake_slack.add_user("UCOCO", "Coco")
    city = await build_city(
        fake_telegram,
        engine,
        clock,
        slack_bot_token=fake_slack.token,
        slack_signing_secret=fake_slack.secret,
        slack_api_url=f"{fake_slack.url}/api",
        slack_coordinators_channel=COORDINATORS_ROOM,
        slack_partners_channel=PARTNERS_ROOM,
        slack_coordinator_ids="UCOCO",
        **getattr(request, "param", {}),
    )
    fake_slack.bot_url = f"http://127.0.0.1:{city.bot.settings.port}/slack/events"
    yield city, fake_slack
    await city.bot.stop()


async def share_idea(user, idea: str = "Kleurrijke bankjes.", problem: str = "Het Leieboord is grijs.") -> None:
    """A resident on Telegram shares an idea, skipping the optional questions."""
    await user.send("/idee")
    await user.send(problem)
    await user.send(idea)
    await user.tap("Overslaan")
    await user.tap("Erfgoed")
    await user.tap("Marke")
    await user.tap("Ja")
    await user.tap("Overslaan")
    await user.tap("Klopt")


def card_in(fake: FakeSlack, room: str, fragment: str) -> Message:
    """The newest message in a Slack channel that shows `fragment`."""
    return next(m for m in reversed(fake.in_channel(room)) if fragment in json.dumps(m.blocks, ensure_ascii=False))


def shows(message: Message, fragment: str) -> bool:
    return fragment in json.dumps(message.blocks, ensure_ascii=False)


async def until(predicate, fake: FakeSlack) -> None:
    """Wait for what the bot does after it acknowledged Slack's request."""
    for _ in range(250):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not in time; Slack saw {[(c.method, c.error) for c in fake.calls]}")
