"""`python -m bot` with a Telegram token: migrates, polls the Bot API, answers, stops cleanly on SIGTERM."""
import asyncio
import os
import signal
import sys

import pytest

from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.telegram_fixtures import free_port
from tests.auxil.telegram_user import TelegramUser

pytestmark = pytest.mark.slow


async def test_python_m_bot_runs_the_telegram_channel(tmp_path):
    fake = FakeTelegram()
    await fake.start()
    env = {**os.environ, "TELEGRAM_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.url,
           "TELEGRAM_POLL_TIMEOUT": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
           "HOST": "127.0.0.1", "PORT": str(free_port())}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=tmp_path,
                                                   stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(200):
            if fake.calls_to("getUpdates"):
                break
            await asyncio.sleep(0.05)
        user = TelegramUser(fake, 1001)
        await user.send("/start")
        assert "Kortrijk 2030" in user.text
        assert set(fake.commands) == {None, "nl", "en", "fr"}
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        await fake.stop()
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert fake.refused(400) == []
