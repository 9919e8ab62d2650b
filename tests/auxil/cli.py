"""The `cli` fixture: `gangmaker …` run in-process on a SQLite file of its own."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """`cli(*args, input=...)` runs `gangmaker *args` (typing `input`) and returns its exit code and output; `cli.path` is its database."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)

    def run(*args, input=None):
        result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
        return result.exit_code, result.output

    run.path = str(tmp_path / "cli.db")
    return run
