"""Fixtures: every storage-touching test runs on SQLite and on PostgreSQL.

`--sqlite-only` keeps the PostgreSQL runs of the tests marked `dialect` only (the code that
differs per database). `--fast` is the inner loop: `--sqlite-only`, without the tests that start
subprocesses (`slow`), without those that talk HTTP to a fake Telegram or Slack (`http`) or put
many at once (`load`) unless they are marked `dialect`, and with the small property-test budget.
"""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings

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

# Every property test's budget: CI plays today's 800 sequences (tests/test_properties.py derives
# its PostgreSQL share from it); a local run plays a few, to stay quick.
hypothesis_settings.register_profile("ci", max_examples=800)
hypothesis_settings.register_profile("dev", max_examples=40)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

# A test using one of these fixtures talks HTTP to a fake Telegram or Slack: it gets the `http` marker.
HTTP_FIXTURES = {"fake_telegram", "fake_slack"}
LEFT_OUT_BY_FAST = ("slow", "http", "load")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gangmaker")
    group.addoption(
        "--sqlite-only",
        action="store_true",
        help="run on SQLite only, except the tests marked dialect (they still run on PostgreSQL too)",
    )
    group.addoption(
        "--fast",
        action="store_true",
        help="the inner loop: --sqlite-only, without the tests marked slow, and without those marked http "
        "or load unless marked dialect; the small property-test budget (hypothesis profile dev)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("fast"):
        hypothesis_settings.load_profile("dev")


def runs_on_postgresql(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    on_engine = callspec is not None and callspec.params.get("engine") == "postgresql"
    return on_engine or item.get_closest_marker("postgresql") is not None


def left_out(item: pytest.Item, fast: bool) -> bool:
    """Whether --sqlite-only (and, with `fast`, --fast) leaves this test out."""
    if item.get_closest_marker("dialect") is None:
        if runs_on_postgresql(item):
            return True
        if fast and any(item.get_closest_marker(name) for name in LEFT_OUT_BY_FAST):
            return True
    return fast and item.get_closest_marker("slow") is not None


@pytest.hookimpl(tryfirst=True)  # the markers must be there before `-m` selects by them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HTTP_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.http)
    fast = config.getoption("fast")
    if not (fast or config.getoption("sqlite_only")):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if left_out(item, fast) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which Telegram checks are in force, and which databases and property budget this run uses."""
    spec = Spec.find()
    if spec is not None:
        telegram = f"fake Telegram: every call checked against the Bot API spec at {spec.path}"
    else:
        telegram = (
            "fake Telegram: Bot API spec not found (set TELEGRAM_SPEC or put shared/specs beside the "
            "repository); checking the fake's own rules only"
        )
    if config.getoption("fast"):
        databases = "databases: SQLite; PostgreSQL for the tests marked dialect (--fast)"
    elif config.getoption("sqlite_only"):
        databases = "databases: SQLite; PostgreSQL for the tests marked dialect (--sqlite-only)"
    else:
        databases = "databases: SQLite and PostgreSQL"
    budget = (
        f"property tests: hypothesis profile {hypothesis_settings.get_current_profile_name()!r} "
        f"(max_examples={hypothesis_settings.default.max_examples})"
    )
    return [telegram, databases, budget]


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
