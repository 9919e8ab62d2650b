"""Random conversations of several people at once, drawn by hypothesis, keep every promise the bot makes.

Residents, strangers, coordinators and partners, some halfway a dialogue, type odd Unicode and
commands in three languages, tap the buttons they were shown, old ones, someone else's and forged
ones, send photos, stickers, edits, forms, slash commands and thread answers, open their
dashboard, while time passes and the outbox delivers (tests/auxil/sequences.py). After every
event: an answer (none only for a blocked person), never the "er ging iets mis" of a failed turn,
no error logged, buttons every channel can draw, English and French readers get no Dutch
sentence, nobody stored without a yes, no idea or offer stored before its summary was confirmed,
nobody's dialogue changed by someone else's event; after the sequence, /annuleer (and "Ja,
stoppen" when asked) ends every dialogue, and every stored idea and offer is whole.

A normal run plays fixed sequences (derandomized: the same ones every run), as many on SQLite as
the hypothesis profile's max_examples and a quarter of that on PostgreSQL: in CI (`CI` set, profile
"ci") 800 and 200, in a local run (profile "dev", see tests/conftest.py) 40 and 10. The long run
draws new ones each time, many more, steered towards those that reach further into the dialogues:

    GANGMAKER_PROPERTY_EXAMPLES=20000 python -m pytest -q tests/test_properties.py -p no:cacheprovider

(that many on SQLite, a fifth as many on PostgreSQL; a failure prints how to replay it
(`@reproduce_failure` or `--hypothesis-seed=...`) and the events of the smallest failing sequence,
each with the answers it got).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from contextlib import AsyncExitStack

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.assembly import load_application
from bot.config import load_settings
from tests.auxil.database import postgres_engine, sqlite_engine
from tests.auxil.sequences import Scenario, play, scenarios

LONG_RUN = int(os.environ.get("GANGMAKER_PROPERTY_EXAMPLES") or 0)
SQLITE_EXAMPLES = LONG_RUN or settings.default.max_examples
POSTGRES_EXAMPLES = LONG_RUN // 5 or max(1, settings.default.max_examples // 4)


def budget(examples: int) -> settings:
    """Derandomized in a normal run (the same sequences every time), freshly drawn in the long run."""
    return settings(
        max_examples=examples,
        derandomize=not LONG_RUN,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Lab:
    """One event loop and one database of each kind for the whole module; each sequence empties it first."""

    def __init__(self, runner: asyncio.Runner, templates: dict, folder) -> None:
        self.runner, self.templates, self.folder = runner, templates, folder
        # The flood guard counts wall-clock time, which would make a sequence play out differently on a
        # slower run; it is off here (tests/test_flooding.py tests it).
        self.settings = load_settings(database_url="sqlite://", flood_limit="1000000/second", _env_file=None)
        self.app = load_application(self.settings)
        self.stack = AsyncExitStack()
        self.engines: dict[str, AsyncEngine] = {}

    def engine(self, kind: str) -> AsyncEngine:
        if kind not in self.engines:
            if kind == "sqlite":
                shutil.copyfile(self.templates["sqlite"], self.folder / "gangmaker.db")
                context = sqlite_engine(str(self.folder / "gangmaker.db"))
            else:
                context = postgres_engine(self.templates["postgresql"])  # skips (fails in CI) when unreachable
            self.engines[kind] = self.runner.run(self.stack.enter_async_context(context))
        return self.engines[kind]

    def play(self, kind: str, scenario: Scenario, caplog: pytest.LogCaptureFixture) -> None:
        engine = self.engine(kind)
        caplog.clear()  # what the sequences before logged

        def errors() -> list[logging.LogRecord]:
            return [record for record in caplog.records if record.levelno >= logging.ERROR]

        self.runner.run(play(engine, self.settings, self.app, scenario, errors, steer=bool(LONG_RUN)))


@pytest.fixture(scope="module")
def lab(templates, tmp_path_factory):
    with asyncio.Runner() as runner:
        made = Lab(runner, templates, tmp_path_factory.mktemp("properties"))
        try:
            yield made
        finally:
            runner.run(made.stack.aclose())


@budget(SQLITE_EXAMPLES)
@given(scenario=scenarios())
def test_random_conversations_keep_every_promise_on_sqlite(lab, caplog, scenario):
    lab.play("sqlite", scenario, caplog)


@pytest.mark.postgresql
@budget(POSTGRES_EXAMPLES)
@given(scenario=scenarios())
def test_random_conversations_keep_every_promise_on_postgresql(lab, caplog, scenario):
    lab.play("postgresql", scenario, caplog)
