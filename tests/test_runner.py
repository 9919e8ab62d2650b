"""`python -m bot` with a Telegram token: migrates, polls the Bot API, answers, stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import sys

import pytest

from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.telegram_fixtures import free_port
from tests.auxil.telegram_user import TelegramUser
from tests.auxil.waiting import wait_until

pytestmark = pytest.mark.slow


async def test_python_m_bot_runs_the_telegram_channel(tmp_path):
    fake = FakeTelegram()
    await fake.start()
    env = {
        **os.environ,
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "LOG_LEVEL": "DEBUG",
    }
    log = (tmp_path / "stderr").open("wb")  # a file, not a pipe: debug logging would fill a pipe's buffer
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=tmp_path, stderr=log)
    try:
        for _ in range(200):
            if fake.calls_to("getUpdates"):
                break
            await asyncio.sleep(0.05)
        user = TelegramUser(fake, 1001)
        await user.send("/start")
        assert "Kortrijk 2030" in user.text
        assert set(fake.commands) == {None, "nl", "en", "fr"}
        # A second instance on the same SQLite file would send pushes twice: it refuses to start.
        second = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env={**env, "PORT": str(free_port())},
            cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE,
        )
        _, second_err = await asyncio.wait_for(second.communicate(), 30)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        await fake.stop()
        log.close()
    stderr = (tmp_path / "stderr").read_bytes()
    assert second.returncode == 1 and b"Another Gangmaker already serves the SQLite database" in second_err
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert fake.refused(400) == []
    # Whoever reads the logs must not be able to act as the bot, at any level.
    assert b"getUpdates" in stderr
    assert fake.token.encode() not in stderr
    assert fake.token.split(":")[1].encode() not in stderr


async def test_killed_mid_broadcast_the_restarted_bot_sends_the_rest_once(tmp_path):
    from collections import Counter
    from datetime import datetime, timezone

    from bot.config import load_settings
    from storage.migrate import upgrade
    from storage.models import OutboxMessage
    from tests.auxil.builders import publish_call
    from tests.auxil.database import rows, sqlite_engine
    from tests.auxil.people import add_residents

    fake = FakeTelegram()
    await fake.start()
    fake.send_delay = 0.03
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    async with sqlite_engine(str(tmp_path / "bot.db")) as engine:
        await upgrade(engine)
        # No quiet hours: the broadcast goes out whatever the time of day the test runs.
        people = await add_residents(engine, fake, 60, datetime.now(timezone.utc), quiet_start=0, quiet_end=0)
        await publish_call(engine, load_settings(_env_file=None), datetime.now(timezone.utc))
    env = {
        **os.environ,
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "DATABASE_URL": database,
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "OUTBOX_LEASE_SECONDS": "1",
        "OUTBOX_CONCURRENCY": "1",
    }  # one message in flight at a time

    def delivered() -> Counter:
        return Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage"))

    try:
        first = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=tmp_path)
        await wait_until(lambda: sum(delivered().values()) >= 20)
        first.kill()  # SIGKILL mid-broadcast: no clean shutdown
        await first.wait()
        assert sum(delivered().values()) < 60
        second = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=tmp_path)
        await wait_until(lambda: len(delivered()) == 60)
        await asyncio.sleep(1.5)  # anything more it would send, it sends now
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 30) == 0
    finally:
        await fake.stop()
    counts = delivered()
    assert fake.refused(400) == []
    assert set(counts) == {p.id for p in people}
    assert sum(n - 1 for n in counts.values()) <= 1  # only the message in flight at the kill may repeat
    async with sqlite_engine(str(tmp_path / "bot.db")) as engine:
        assert Counter(r.state for r in await rows(engine, OutboxMessage)) == Counter({"sent": 60})
