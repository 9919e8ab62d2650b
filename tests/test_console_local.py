"""The console on a person's own computer: its database in their data folder, the public page
served beside the chat, and a goodbye at the end."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def environment(home, **more):
    """A clean environment: no database setting, a home folder of the test's own."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "XDG_DATA_HOME")}
    env.pop("TELEGRAM_TOKEN", None)
    env.pop("SLACK_BOT_TOKEN", None)
    return {**env, "HOME": str(home), **more}


def test_without_db_the_console_keeps_its_database_in_the_data_folder_and_says_goodbye(tmp_path):
    home, repository = tmp_path / "home", tmp_path / "clone"
    home.mkdir()
    repository.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--no-web"],
        input="1\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(home),
        cwd=repository,
    )
    assert result.returncode == 0, result.stderr
    assert list(repository.iterdir()) == []  # nothing written into the clone
    assert (home / ".local" / "share" / "gangmaker" / "gangmaker.db").exists()
    assert result.stdout.rstrip().endswith("Tot later! Start je de console opnieuw, dan gaan we verder waar we waren.")
    again = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--no-web"],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(home, XDG_DATA_HOME=str(tmp_path / "data")),
        cwd=repository,
    )
    assert (tmp_path / "data" / "gangmaker" / "gangmaker.db").exists()
    assert "Tot later!" in again.stdout


def test_the_console_serves_the_public_page_on_this_computer_and_prints_its_address(tmp_path):
    taken = socket.socket()  # PORT is taken (a bot, another console): the page goes on a free port
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "g.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment(tmp_path, PORT=str(port)),
        cwd=tmp_path,
    )
    try:
        output, deadline = "", time.monotonic() + 60
        while "🌐" not in output and time.monotonic() < deadline:
            output += process.stdout.readline()
        [address] = re.findall(r"🌐 De publieke pagina: (http://127\.0\.0\.1:(\d+)/impact)$", output, re.M)
        address, served_on = address
        assert int(served_on) != port
        with urllib.request.urlopen(address, timeout=10) as response:
            assert response.status == 200
            assert "Kortrijk 2030" in response.read().decode()
    finally:
        taken.close()
        process.stdin.close()
        assert process.wait(timeout=60) == 0


def test_a_console_checks_often_unless_told_otherwise(tmp_path):
    from bot.config import load_settings
    from bot.local import CONSOLE_CHECKS, for_the_console

    chosen = for_the_console(load_settings(_env_file=None), tmp_path / "g.db")
    assert chosen.checks_interval_seconds == CONSOLE_CHECKS < 30
    assert chosen.database_url.endswith(str(tmp_path / "g.db"))
    told = for_the_console(load_settings(checks_interval_seconds=60, _env_file=None), tmp_path / "g.db")
    assert told.checks_interval_seconds == 60
