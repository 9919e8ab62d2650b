"""Fixtures: every storage-touching test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bot.assembly import assemble
from bot.config import load_settings
from tests.auxil.chat import Chat
from tests.auxil.clock import FakeClock
from tests.auxil.database import (
    drop_postgres_database,
    migrated_postgres_template,
    migrated_sqlite_template,
    postgres_engine,
    sqlite_engine,
)
from tests.auxil.fake_telegram import Spec

pytest_plugins = [
    "tests.auxil.telegram_fixtures",
    "tests.auxil.slack_fixtures",
    "tests.auxil.city",
    "tests.auxil.town",
    "tests.auxil.cli",
]


def pytest_report_header() -> str:
    """Say which Telegram checks are in force: the published spec, or the fake's own rules."""
    spec = Spec.find()
    if spec is not None:
        return f"fake Telegram: every call checked against the Bot API spec at {spec.path}"
    return (
        "fake Telegram: Bot API spec not found (set TELEGRAM_SPEC or put shared/specs beside the "
        "repository); checking the fake's own rules only"
    )


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Migrated once per run: a SQLite file and a PostgreSQL database that each test copies."""
    made = {
        "sqlite": asyncio.run(migrated_sqlite_template(str(tmp_path_factory.mktemp("template") / "g.db"))),
        "postgresql": asyncio.run(migrated_postgres_template()),
    }
    yield made
    if isinstance(made["postgresql"], str):
        asyncio.run(drop_postgres_database(made["postgresql"]))


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request, tmp_path, templates):
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        shutil.copyfile(templates["sqlite"], tmp_path / "gangmaker.db")
        context = sqlite_engine(str(tmp_path / "gangmaker.db"))
    else:
        context = postgres_engine(templates["postgresql"])
    async with context as engine:
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
