"""`gangmaker serve` as deployed: SIGTERM mid-broadcast, and two instances sharing one PostgreSQL database."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import ClientSession

from bot.config import load_settings
from handlers import call_service
from storage.db import session_factory
from storage.migrate import upgrade
from storage.models import OutboxMessage
from tests.auxil.database import postgres_engine, rows, sqlite_engine
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.people import add_residents
from tests.auxil.telegram_fixtures import free_port
from tests.test_operations import sample
from tests.test_outbox import publish_call
from tests.test_runner import wait_until

pytestmark = pytest.mark.slow
# People the two-instance broadcast reaches: 200 keeps the suite fast (each instance sends at most 30 a
# second, Telegram's limit); GANGMAKER_TEST_BROADCAST=2000 runs the full size.
BROADCAST = int(os.environ.get("GANGMAKER_TEST_BROADCAST", "200"))


def serve_env(fake: FakeTelegram, database: str, port: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "TELEGRAM_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.url, "TELEGRAM_POLL_TIMEOUT": "1",
            "DATABASE_URL": database, "HOST": "127.0.0.1", "PORT": str(port), **extra}


async def start(env: dict[str, str], cwd, log) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", env=env, cwd=cwd, stderr=log)


async def metrics_of(port: int) -> str:
    try:
        async with ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
            return await response.text()
    except OSError:
        return ""


def delivered(fake: FakeTelegram) -> Counter:
    return Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage") if c.status == 200)


async def test_sigterm_mid_broadcast_loses_nothing_and_the_restart_sends_the_rest_once(tmp_path):
    fake = FakeTelegram()
    await fake.start()
    fake.send_delay = 0.03
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    async with sqlite_engine(str(tmp_path / "bot.db")) as engine:
        await upgrade(engine)
        people = await add_residents(engine, fake, 60, datetime.now(timezone.utc), quiet_start=0, quiet_end=0)
        await publish_call(engine, load_settings(_env_file=None), datetime.now(timezone.utc))
    env = serve_env(fake, database, free_port())
    log = (tmp_path / "stderr").open("wb")
    try:
        first = await start(env, tmp_path, log)
        await wait_until(lambda: sum(delivered(fake).values()) >= 20)
        asked = time.monotonic()
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 15) == 0
        took = time.monotonic() - asked
        sent_before = sum(delivered(fake).values())
        async with sqlite_engine(str(tmp_path / "bot.db")) as engine:
            states = Counter(r.state for r in await rows(engine, OutboxMessage))
        second = await start(env, tmp_path, log)
        await wait_until(lambda: len(delivered(fake)) == 60)
        await asyncio.sleep(1.5)  # anything more it would send, it sends now
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 15) == 0
    finally:
        await fake.stop()
        log.close()
    assert took < 10, f"stopped in {took:.1f} s"
    assert sent_before < 60
    # Nothing was left claimed: what was not sent waits, ready for the next instance at once.
    assert states == Counter({"sent": sent_before, "pending": 60 - sent_before}), states
    assert delivered(fake) == Counter({p.id: 1 for p in people})  # a clean stop repeats nothing
    stderr = (tmp_path / "stderr").read_text()
    assert "Traceback" not in stderr and "stopped" in stderr


@pytest.fixture
async def shared_postgres(templates):
    """A PostgreSQL database of its own that processes can connect to, dropped afterwards."""
    async with postgres_engine(templates["postgresql"]) as engine:
        yield engine


async def test_two_instances_share_a_broadcast_and_the_survivor_takes_over_the_checks(tmp_path, shared_postgres):
    engine = shared_postgres
    url = engine.url.render_as_string(hide_password=False)
    fake = FakeTelegram()
    await fake.start()
    now = datetime.now(timezone.utc)
    people = await add_residents(engine, fake, BROADCAST, now, quiet_start=0, quiet_end=0)
    await publish_call(engine, load_settings(_env_file=None), now)
    ports = {"a": free_port(), "b": free_port()}
    processes: dict[str, asyncio.subprocess.Process] = {}
    log = (tmp_path / "stderr").open("wb")
    try:
        for name, port in ports.items():
            processes[name] = await start(serve_env(fake, url, port, INSTANCE_NAME=name, CHECKS_INTERVAL_SECONDS="1",
                                                    TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
                                                    TELEGRAM_WEBHOOK_SECRET="s3cret-Token_1"), tmp_path, log)
        sending = time.monotonic()
        await wait_until(lambda: len(delivered(fake)) == BROADCAST, timeout=30 + BROADCAST / 20)
        took = time.monotonic() - sending
        await asyncio.sleep(1.5)
        assert delivered(fake) == Counter({p.id: 1 for p in people})  # exactly once in total
        scraped = {name: await metrics_of(port) for name, port in ports.items()}
        shares = {name: sample(text, "gangmaker_replies_sent_total", channel="telegram")
                  for name, text in scraped.items()}
        assert sum(shares.values()) == BROADCAST and all(shares.values()), shares  # both instances dispatched
        leading = {name: sample(text, "gangmaker_leader", instance=name) for name, text in scraped.items()}
        assert sorted(leading.values()) == [0, 1], leading
        leader = max(leading, key=leading.get)
        survivor = "b" if leader == "a" else "a"

        processes[leader].kill()  # SIGKILL: no clean shutdown, no lock handed over
        await processes[leader].wait()
        killed = time.monotonic()
        # A call to publish at a time only the survivor can see come: the recurring checks must move over.
        async with session_factory(engine)() as session, session.begin():
            later = datetime.now(timezone.utc)
            answers = dict(title="Tweede oproep", description="Nog eens.", address="Groeningestraat 1",
                           neighbourhood="heule", needs=["time"], publish_at=(later + timedelta(seconds=1)).isoformat(),
                           starts_at=(later + timedelta(days=3)).isoformat(),
                           ends_at=(later + timedelta(days=3, hours=3)).isoformat())
            session.add(call_service.new_call(answers, None, later))

        async def leads() -> bool:
            return sample(await metrics_of(ports[survivor]), "gangmaker_leader", instance=survivor) == 1

        while not await leads():
            assert time.monotonic() - killed < 60, "the survivor did not take the lead within a minute"
            await asyncio.sleep(0.2)
        took_over = time.monotonic() - killed
        await wait_until(lambda: set(delivered(fake).values()) == {2}, timeout=30 + BROADCAST / 10)
        await asyncio.sleep(2.5)  # more rounds of the checks: nothing is published or sent again
        processes[survivor].send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(processes[survivor].wait(), 15) == 0
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.kill()
                await process.wait()
        await fake.stop()
        log.close()
    assert took_over < 60
    assert delivered(fake) == Counter({p.id: 2 for p in people})
    states = Counter((r.purpose, r.state) for r in await rows(engine, OutboxMessage))
    assert states == Counter({("call", "sent"): 2 * BROADCAST}), states
    stderr = (tmp_path / "stderr").read_text()
    assert f"this instance ({survivor}) now leads the scheduled checks" in stderr
    print(f"{BROADCAST} messages in {took:.1f} s, split {shares}; {survivor} led {took_over:.1f} s after {leader} "
          "was killed")


async def post_update(session: ClientSession, port: int, update: dict) -> int:
    async with session.post(f"http://127.0.0.1:{port}/telegram/hook", json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}) as response:
        return response.status


async def test_two_instances_answer_concurrent_updates_for_the_same_people_consistently(tmp_path, shared_postgres):
    import random

    from storage.models import Conversation, Identity, ProcessedEvent

    engine = shared_postgres
    url = engine.url.render_as_string(hide_password=False)
    fake = FakeTelegram()
    await fake.start()
    people = await add_residents(engine, fake, 20, datetime.now(timezone.utc), quiet_start=0, quiet_end=0)
    ports = {"a": free_port(), "b": free_port()}
    processes: dict[str, asyncio.subprocess.Process] = {}
    log = (tmp_path / "stderr").open("wb")
    update_ids = iter(range(1, 1_000_000))
    texts = {person.id: [f"Antwoord {n} van {person.id}" for n in range(10)] for person in people}
    try:
        for name, port in ports.items():
            processes[name] = await start(serve_env(fake, url, port, INSTANCE_NAME=name,
                                                    TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
                                                    TELEGRAM_WEBHOOK_SECRET="s3cret-Token_1"), tmp_path, log)
        async with ClientSession() as session:
            async def up() -> bool:
                try:
                    return all([await post_update(session, port, {"update_id": 0}) == 200 for port in ports.values()])
                except OSError:
                    return False

            while not await up():
                await asyncio.sleep(0.1)
            command = [{"update_id": next(update_ids), "message": person._message(
                text="/idee", entities=[{"type": "bot_command", "offset": 0, "length": 5}])} for person in people]
            assert set(await asyncio.gather(*(post_update(session, random.choice(list(ports.values())), update)
                                              for update in command))) == {200}
            answers = [{"update_id": next(update_ids), "message": person._message(text=text)}
                       for person in people for text in texts[person.id]]
            random.shuffle(answers)
            statuses = await asyncio.gather(*(post_update(session, random.choice(list(ports.values())), update)
                                              for update in answers))
        assert set(statuses) == {200}
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.kill()
                await process.wait()
        await fake.stop()
        log.close()
    stderr = (tmp_path / "stderr").read_text()
    assert "Traceback" not in stderr, stderr[-3000:]
    print(f"{stderr.count('concurrent update')} turns retried after a conflict between the instances")
    said = [c.params.get("text", "") for c in fake.calls_to("sendMessage")]
    assert not [text for text in said if text.startswith("Sorry")]  # no turn was lost to a conflict
    assert len(await rows(engine, ProcessedEvent)) == 220  # every update handled, once
    chat_of = {identity.person_id: int(identity.external_id) for identity in await rows(engine, Identity)}
    conversations = await rows(engine, Conversation)
    assert len(conversations) == 20
    for conversation in conversations:
        # The first three answers (what you see, the idea, a first test) each took one message, once;
        # the other seven met the theme question.
        stored = [conversation.answers.get(step) for step in ("problem", "idea", "prototype")]
        assert conversation.flow == "idea" and conversation.step == "theme", conversation.answers
        assert len(set(stored)) == 3 and set(stored) <= set(texts[chat_of[conversation.person_id]]), stored
