"""A small city for the calls tests: the bot on the fake Bot API, its scheduler checks and
outbox dispatcher driven by a hand-moved clock, a coordinator and residents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from bot.outbox import Dispatcher
from bot.scheduler import Jobs
from tests.auxil.clock import FakeClock
from tests.auxil.telegram_fixtures import RunningBot, start_bot, telegram_settings
from tests.auxil.telegram_user import TelegramUser, onboard

COORDINATOR_ID = 9001


@dataclass
class City:
    bot: RunningBot
    dispatcher: Dispatcher
    jobs: Jobs
    clock: FakeClock

    async def tick(self, **advance: float) -> dict[str, int]:
        """Move the clock, run the scheduled checks, and send everything that is due."""
        if advance:
            self.clock.advance(**advance)
        done = await self.jobs.run_due(self.clock())
        done["sent"] = await self.dispatcher.drain()
        return done

    def person(self, user_id: int, name: str = "Anna", language_code: str = "nl") -> TelegramUser:
        return self.bot.user(user_id, name, language_code)

    async def resident(
        self,
        user_id: int,
        name: str = "Anna",
        neighbourhood: str = "Heule",
        interests: tuple[str, ...] = ("Erfgoed",),
        digest: bool = False,
        level: str = "Meehelpen",
    ) -> TelegramUser:
        user = self.person(user_id, name)
        await onboard(user, name, neighbourhood, interests, digest, level=level)
        user.unread()
        return user

    async def coordinator(self) -> TelegramUser:
        """The coordinator the settings name: known at the first message, no resident onboarding."""
        user = self.person(COORDINATOR_ID, "Coco")
        await user.send("/start")
        assert "Je bent coördinator" in user.text
        user.unread()
        return user


async def build_city(fake, engine, clock, **settings) -> City:
    values = dict(coordinator_telegram_ids=str(COORDINATOR_ID)) | settings
    running = await start_bot(fake, telegram_settings(fake, "webhook", **values), engine, clock)
    return City(running, running.assembly.dispatcher, running.assembly.jobs, clock)


@pytest.fixture
async def city(fake_telegram, engine, clock):
    town = await build_city(fake_telegram, engine, clock)
    yield town
    await town.bot.stop()


def sent_per_chat(fake) -> Counter:
    """How many messages the bot sent to each chat on the fake Bot API."""
    return Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage"))
