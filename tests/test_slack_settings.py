"""Slack settings that cannot work stop the start with one line saying what is wrong: a token in the
wrong slot, a channel name where an id belongs, no channel for the shared rooms, a token Slack
refuses, a channel Slack does not know or the app is not in. Checked at start against the fake Slack
Web API (auth.test, conversations.info)."""

import asyncio
import os
import sys

import pytest

from tests.auxil.fake_slack import APP_TOKEN, FakeSlack
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM
from tests.auxil.telegram_fixtures import free_port
from tests.test_startup_errors import the_line

APP_LEVEL = "xapp-1-A0123-4567-0123456789abcdef"


@pytest.mark.parametrize(
    ("settings", "named", "says"),
    [
        ({"SLACK_BOT_TOKEN": APP_LEVEL, "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN", "xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN", "xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN", "xapp-"),
        ({"SLACK_COORDINATORS_CHANNEL": "#coordinatoren"}, "SLACK_COORDINATORS_CHANNEL", "channel id"),
        ({"SLACK_PARTNERS_CHANNEL": "partners"}, "SLACK_PARTNERS_CHANNEL", "channel id"),
        ({"SLACK_COORDINATOR_IDS": "U0123ABC, @anna"}, "SLACK_COORDINATOR_IDS", "user id"),
    ],
)
def test_a_slack_setting_of_the_wrong_shape_is_named_before_anything_starts(cli, monkeypatch, settings, named, says):
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    code, output = cli("serve")
    assert code != 0
    [line] = [line for line in output.splitlines() if line.strip()]
    assert named in line and says in line, line
    for secret in (APP_LEVEL, "xoxp-user-token", "xoxb-2"):
        assert secret not in output


@pytest.mark.slow  # starts `python -m bot`
@pytest.mark.parametrize(
    ("settings", "named", "says"),
    [
        ({"SLACK_COORDINATORS_CHANNEL": "", "SLACK_PARTNERS_CHANNEL": ""}, "SLACK_COORDINATORS_CHANNEL", "not set"),
        ({"SLACK_PARTNERS_CHANNEL": ""}, "SLACK_PARTNERS_CHANNEL", "not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-not-the-right-one"}, "SLACK_BOT_TOKEN", "refused"),
        ({"SLACK_COORDINATORS_CHANNEL": "G0NOWHERE"}, "SLACK_COORDINATORS_CHANNEL", "channel_not_found"),
        ({"SLACK_PARTNERS_CHANNEL": "C0OUTSIDE"}, "SLACK_PARTNERS_CHANNEL", "/invite"),
        ({"SLACK_APP_TOKEN": "xapp-not-the-right-one", "SLACK_SIGNING_SECRET": ""}, "SLACK_APP_TOKEN", "refused"),
    ],
    ids=["no rooms", "no partners' room", "bot token refused", "unknown channel", "not in it", "app token refused"],
)
async def test_slack_settings_that_do_not_work_stop_the_start_with_one_line(tmp_path, settings, named, says):
    fake = FakeSlack()
    await fake.start()
    fake.channels.update({COORDINATORS_ROOM, PARTNERS_ROOM})
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "SLACK_BOT_TOKEN": fake.token,
        "SLACK_SIGNING_SECRET": fake.secret,
        "SLACK_API_URL": f"{fake.url}/api",
        "SLACK_COORDINATORS_CHANNEL": COORDINATORS_ROOM,
        "SLACK_PARTNERS_CHANNEL": PARTNERS_ROOM,
        **settings,
    }
    env = {name: value for name, value in env.items() if value != ""}
    env.pop("TELEGRAM_TOKEN", None)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await fake.stop()
    output = out.decode()
    assert process.returncode != 0
    line = the_line(output)
    assert named in line and says in line, line
    assert "xoxb-not-the-right-one" not in output and "xapp-not-the-right-one" not in output
    assert fake.token not in output and APP_TOKEN not in output
