"""A start that cannot work ends with one line naming the variable to fix, an exit code, no
traceback and no secret: a token Telegram refuses, a Telegram it cannot reach, a database that is
not there."""

import asyncio
import os
import re
import sys

import pytest
from sqlalchemy.engine import make_url

from tests.auxil.database import POSTGRES_URL
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.telegram_fixtures import free_port

pytestmark = pytest.mark.slow  # starts `python -m bot`

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")  # the logging's lines, as LOG_FORMAT=text writes them
WRONG_TOKEN = "7000000001:WRONG-token-that-must-not-show"
PASSWORD = "hunter2-not-to-be-shown"


async def start(tmp_path, *args: str, **env: str) -> tuple[int, str]:
    """`python -m bot ARGS` with these settings: its exit code and all it wrote."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
            **env,
        },
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


def the_line(output: str) -> str:
    """The one line beside the log: what went wrong."""
    assert "Traceback" not in output, output
    [line] = [line for line in output.splitlines() if line.strip() and not LOG_LINE.match(line)]
    return line


async def test_a_token_telegram_refuses_is_named_and_not_shown(tmp_path):
    fake = FakeTelegram()
    await fake.start()
    try:
        code, output = await start(tmp_path, "serve", TELEGRAM_TOKEN=WRONG_TOKEN, TELEGRAM_BASE_URL=fake.url)
    finally:
        await fake.stop()
    assert code != 0
    assert "TELEGRAM_TOKEN" in the_line(output) and "refuse" in the_line(output)
    assert WRONG_TOKEN not in output and WRONG_TOKEN.split(":")[1] not in output


async def test_a_telegram_out_of_reach_names_the_token_and_where_it_was_sought(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: as without a network
    code, output = await start(tmp_path, TELEGRAM_TOKEN=WRONG_TOKEN, TELEGRAM_BASE_URL=nowhere)
    assert code != 0
    line = the_line(output)
    assert "TELEGRAM_TOKEN" in line and "TELEGRAM_BASE_URL" in line and "reach" in line
    assert WRONG_TOKEN.split(":")[1] not in output


@pytest.mark.parametrize(
    "database",
    [
        make_url(POSTGRES_URL).set(database="gangmaker_not_there", password=PASSWORD).render_as_string(False),
        f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/gangmaker",  # no server there
        "sqlite:////no/such/folder/gangmaker.db",
    ],
    ids=["no database", "no server", "no folder"],
)
async def test_a_database_that_is_not_there_is_named(tmp_path, database):
    for args in (("console",), ("call", "list")):
        code, output = await start(tmp_path, *args, DATABASE_URL=database)
        assert code != 0
        line = the_line(output)
        assert "DATABASE_URL" in line, line
        assert PASSWORD not in output
