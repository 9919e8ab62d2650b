"""Fixtures: every storage-touching test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest

from bot.assembly import assemble
from bot.config import load_settings
from storage.migrate import upgrade
from tests.auxil.chat import Chat
from tests.auxil.clock import FakeClock
from tests.auxil.database import postgres_engine, sqlite_engine
from tests.auxil.fake_telegram import Spec

pytest_plugins = ["tests.auxil.telegram_fixtures", "tests.auxil.slack_fixtures", "tests.auxil.city",
                  "tests.auxil.town"]


def pytest_report_header() -> str:
    """Say which Telegram checks are in force: the published spec, or the fake's own rules."""
    spec = Spec.find()
    if spec is not None:
        return f"fake Telegram: every call checked against the Bot API spec at {spec.path}"
    return ("fake Telegram: Bot API spec not found (set TELEGRAM_SPEC or put shared/specs beside the "
            "repository); checking the fake's own rules only")


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request, tmp_path):
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        context = sqlite_engine(str(tmp_path / "gangmaker.db"))
    else:
        context = postgres_engine()
    async with context as engine:
        await upgrade(engine)
        yield engine


@pytest.fixture
def settings():
    return load_settings(database_url="sqlite://", _env_file=None)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
async def bot(settings, engine, clock):
    """The core, assembled as in production, without channels."""
    return (await assemble(settings, engine=engine, clock=clock)).core


@pytest.fixture
def chat(bot):
    return Chat(bot)
