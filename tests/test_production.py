"""`gangmaker serve` as deployed: SIGTERM mid-broadcast; two instances on Telegram and Slack sharing PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientSession
from sqlalchemy import select

from bot.config import load_settings
from bot.context import Scope
from bot.outbox import enqueue_room
from handlers.calls import service as call_service
from handlers.common.domain import SharedRoom
from handlers.ideas import moderation
from handlers.projects.projects import IDEA_PUBLISHED
from storage.db import session_factory
from storage.migrate import upgrade
from storage.models import Idea, Identity, OutboxMessage, SignUp
from tests.auxil.builders import publish_call
from tests.auxil.database import postgres_engine, rows, sqlite_engine
from tests.auxil.fake_slack import FakeSlack
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.metrics import SHOWN, TOKEN, sample
from tests.auxil.people import add_residents
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM
from tests.auxil.telegram_fixtures import free_port
from tests.auxil.waiting import wait_until

pytestmark = pytest.mark.slow
# People the two-instance broadcast reaches: 200 keeps the suite fast (each instance sends at most 30 a
# second, Telegram's limit); GANGMAKER_TEST_BROADCAST=2000 runs the full size.
BROADCAST = int(os.environ.get("GANGMAKER_TEST_BROADCAST", "200"))
REPOSITORY = Path(__file__).resolve().parents[1]
OVERVIEW = "Dit zijn de oproepen van deze week"  # how the Monday overview begins


def serve_env(fake: FakeTelegram, database: str, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "DATABASE_URL": database,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "METRICS_TOKEN": TOKEN,
        **extra,
    }


async def start(env: dict[str, str], cwd, log) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", env=env, cwd=cwd, stderr=log)


async def metrics_of(port: int) -> str:
    try:
        async with (
            ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics", headers=SHOWN) as response,
        ):
            assert response.status == 200, response.status
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
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 15) == 0
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
    assert sent_before < 60
    # Nothing was left claimed: what was not sent waits, ready for the next instance at once.
    assert states == Counter({"sent": sent_before, "pending": 60 - sent_before}), states
    assert delivered(fake) == Counter({p.id: 1 for p in people})  # a clean stop repeats nothing
    stderr = (tmp_path / "stderr").read_text()
    assert "Traceback" not in stderr
    # It stopped by itself: what was in progress finished, nothing had to be cut off at the deadline.
    assert stderr.count("stopping: finishing what is in progress") == 2, stderr[-3000:]
    assert len(re.findall(r": stopped$", stderr, re.MULTILINE)) == 2, stderr[-3000:]
    assert "did not stop within" not in stderr
    assert "maximum number of running instances" not in stderr  # a long round is no warning each second


@pytest.fixture
async def shared_postgres(templates):
    """A PostgreSQL database of its own that processes can connect to, dropped afterwards."""
    async with postgres_engine(templates["postgresql"]) as engine:
        yield engine


def monday_noon_ahead() -> timedelta:
    """How far ahead a Monday noon in Kortrijk lies (not a first Monday, whose monthly report would join in)."""
    local = datetime.now(ZoneInfo("Europe/Brussels"))
    monday = local + timedelta(days=(7 - local.weekday()) % 7 or 7)
    while monday.day <= 7:
        monday += timedelta(days=7)
    return monday.replace(hour=12, minute=0, second=0, microsecond=0) - local


async def start_shifted(env: dict[str, str], cwd, log, shift: timedelta) -> asyncio.subprocess.Process:
    """`gangmaker serve` whose clock runs `shift` ahead (tests/auxil/shifted_serve.py)."""
    path = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.auxil.shifted_serve",
        cwd=cwd,
        stderr=log,
        env={**env, "PYTHONPATH": path, "GANGMAKER_TEST_CLOCK_SHIFT": str(shift.total_seconds())},
    )


def said(fake: FakeTelegram, beginning: str) -> Counter:
    """Messages per chat whose text begins so (a card begins with its icon and title)."""
    return Counter(
        c.params["chat_id"]
        for c in fake.calls_to("sendMessage")
        if c.status == 200 and c.params.get("text", "").startswith(beginning)
    )


async def signed_up_call(session, title: str, starts_at: datetime, people, now: datetime) -> None:
    """A call already announced, with `people` signed up: only its reminders are still to go."""
    call = call_service.new_call(
        dict(
            title=title,
            description="Samen.",
            address="Groeningestraat 1",
            neighbourhood="heule",
            needs=["time"],
            starts_at=starts_at.isoformat(),
            ends_at=(starts_at + timedelta(hours=2)).isoformat(),
        ),
        None,
        now,
    )
    call.state, call.published_at, call.announced_at = "published", now, now
    session.add(call)
    await session.flush()
    identities = await session.scalars(
        select(Identity).where(Identity.channel == "telegram", Identity.external_id.in_([str(p.id) for p in people]))
    )
    session.add_all(
        [
            SignUp(call_id=call.id, person_id=identity.person_id, state="joined", created_at=now)
            for identity in identities
        ]
    )


@pytest.mark.dialect  # instances share PostgreSQL: SKIP LOCKED, the leader's advisory lock
async def test_two_instances_share_a_broadcast_and_the_survivor_takes_over_the_checks(tmp_path, shared_postgres):
    """Both instances host Telegram and Slack; their clocks say Monday noon, so the weekly overview is due."""
    engine = shared_postgres
    url = engine.url.render_as_string(hide_password=False)
    fake, slack = FakeTelegram(), FakeSlack()
    await fake.start()
    await slack.start()
    slack.channels.update({COORDINATORS_ROOM, PARTNERS_ROOM})
    slack.add_user("UANNA", "anna")
    slack.add_user("UBART", "bart")
    shift = monday_noon_ahead()

    def clock() -> datetime:
        return datetime.now(timezone.utc) + shift

    now = clock()
    people = await add_residents(engine, fake, BROADCAST - 10, now, quiet_start=0, quiet_end=0)
    readers = await add_residents(engine, fake, 10, now, first_id=20_000, quiet_start=0, quiet_end=0, digest=True)
    people += readers
    coming = people[:10]  # signed up for calls that start soon
    settings = load_settings(_env_file=None)
    async with session_factory(engine)() as session, session.begin():
        # Cards for the rooms, queued first so they leave with the first batches.
        ideas = [
            Idea(
                problem=f"Het plein is grijs {n}.",
                idea="Bankjes.",
                theme="heritage",
                place="heule",
                state=("submitted", "published")[n % 2],
                created_at=now,
                updated_at=now,
            )
            for n in range(4)
        ]
        session.add_all(ideas)
        await session.flush()
        for idea in ideas:
            if idea.state == "submitted":  # as the idea flow queues it: a card for the coordinators
                await moderation.submitted(Scope(session, settings, now), idea)
            else:  # as the coordinator's "publish" queues it: a card for the partners
                await enqueue_room(
                    session,
                    key=f"idea:{idea.id}:published",
                    room=SharedRoom.PARTNERS,
                    purpose=IDEA_PUBLISHED,
                    now=now,
                    payload={"idea_id": idea.id},
                )
        # The day-before reminder of this one is due now, the two-hours one not before the test ends.
        await signed_up_call(session, "Leieboord opruimen", now + timedelta(hours=23), coming, now)
    await publish_call(engine, settings, now)
    ports = {"a": free_port(), "b": free_port()}
    processes: dict[str, asyncio.subprocess.Process] = {}
    log = (tmp_path / "stderr").open("wb")
    try:
        for name, port in ports.items():
            processes[name] = await start_shifted(
                serve_env(
                    fake,
                    url,
                    port,
                    INSTANCE_NAME=name,
                    CHECKS_INTERVAL_SECONDS="1",
                    TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
                    TELEGRAM_WEBHOOK_SECRET="s3cret-Token_1",
                    SLACK_BOT_TOKEN=slack.token,
                    SLACK_SIGNING_SECRET=slack.secret,
                    SLACK_API_URL=f"{slack.url}/api",
                    SLACK_COORDINATORS_CHANNEL=COORDINATORS_ROOM,
                    SLACK_PARTNERS_CHANNEL=PARTNERS_ROOM,
                ),
                tmp_path,
                log,
                shift,
            )
        await wait_until(lambda: len(said(fake, "📣 Bankjes bouwen")) == BROADCAST, timeout=30 + BROADCAST / 20)
        await wait_until(
            lambda: (
                len(said(fake, OVERVIEW)) == 10
                and len(said(fake, "Niet vergeten: Leieboord")) == 10
                and len(slack.messages) == 4
            )
        )
        await asyncio.sleep(1.5)
        assert said(fake, "📣 Bankjes bouwen") == Counter({p.id: 1 for p in people})  # exactly once in total
        # A Slack command signed as Slack signs it is answered by whichever instance it reaches.
        for user, port in zip(("UANNA", "UBART"), ports.values(), strict=True):
            slack.bot_url = f"http://127.0.0.1:{port}/slack/events"
            assert (await slack.command(user, "help"))[0] == 200
        await wait_until(lambda: slack.dm("UANNA") and slack.dm("UBART"))
        scraped = {name: await metrics_of(port) for name, port in ports.items()}
        shares = {
            name: sample(text, "gangmaker_replies_sent_total", channel="telegram") for name, text in scraped.items()
        }
        # The call to everyone, the overviews and the reminders; both instances dispatched.
        assert sum(shares.values()) == BROADCAST + 20 and all(shares.values()), shares
        assert [sample(text, "gangmaker_updates_handled_total", channel="slack") for text in scraped.values()] == [1, 1]
        leading = {name: sample(text, "gangmaker_leader", instance=name) for name, text in scraped.items()}
        assert sorted(leading.values()) == [0, 1], leading
        leader = max(leading, key=leading.get)
        survivor = "b" if leader == "a" else "a"

        processes[leader].kill()  # SIGKILL: no clean shutdown, no lock handed over
        await processes[leader].wait()
        # What only the survivor can see come due: a call to publish, a reminder two hours before
        # another call, and the overview of someone who asked for it just now.
        late = await add_residents(engine, fake, 1, clock(), first_id=30_000, quiet_start=0, quiet_end=0, digest=True)
        async with session_factory(engine)() as session, session.begin():
            later = clock()
            answers = dict(
                title="Tweede oproep",
                description="Nog eens.",
                address="Groeningestraat 1",
                neighbourhood="heule",
                needs=["time"],
                publish_at=(later + timedelta(seconds=1)).isoformat(),
                starts_at=(later + timedelta(days=3)).isoformat(),
                ends_at=(later + timedelta(days=3, hours=3)).isoformat(),
            )
            session.add(call_service.new_call(answers, None, later))
            await signed_up_call(session, "Buurtfeest", later + timedelta(minutes=119), coming, later)

        async def leads() -> bool:
            return sample(await metrics_of(ports[survivor]), "gangmaker_leader", instance=survivor) == 1

        await wait_until(leads, timeout=60)  # at its next check (CHECKS_INTERVAL_SECONDS=1)
        await wait_until(
            lambda: (
                len(said(fake, "📣 Tweede oproep")) == BROADCAST + 1
                and len(said(fake, "Niet vergeten: Buurtfeest")) == 10
                and said(fake, OVERVIEW)[30_000]
            ),
            timeout=30 + BROADCAST / 10,
        )
        await asyncio.sleep(2.5)  # more rounds of the checks: nothing is published or sent again
        processes[survivor].send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(processes[survivor].wait(), 15) == 0
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.kill()
                await process.wait()
        await fake.stop()
        await slack.stop()
        log.close()
    everyone = people + late
    assert said(fake, "📣 Bankjes bouwen") == Counter({p.id: 1 for p in people})
    assert said(fake, "📣 Tweede oproep") == Counter({p.id: 1 for p in everyone})
    # Each overview and each reminder went out once, also those the killed leader had sent.
    assert said(fake, OVERVIEW) == Counter({p.id: 1 for p in readers + late})
    assert said(fake, "Niet vergeten: Leieboord") == Counter({p.id: 1 for p in coming})
    assert said(fake, "Niet vergeten: Buurtfeest") == Counter({p.id: 1 for p in coming})
    assert sum(said(fake, "").values()) == 2 * BROADCAST + 1 + 11 + 20  # and nothing else
    # Each card went to its room once, from one instance or the other.
    cards = Counter(
        (m.channel, re.search(r"Idee #(\d+)", m.text).group(1))
        for m in slack.messages
        if m.user is None and m.channel in (COORDINATORS_ROOM, PARTNERS_ROOM)
    )
    assert cards == Counter(
        {(COORDINATORS_ROOM if idea.state == "submitted" else PARTNERS_ROOM, str(idea.id)): 1 for idea in ideas}
    ), cards
    assert [[m.text.startswith("Zo werk ik") for m in slack.dm(user)] for user in ("UANNA", "UBART")] == [[True]] * 2
    assert slack.refused() == [], [(c.method, c.error) for c in slack.refused()]
    states = Counter((r.purpose, r.state) for r in await rows(engine, OutboxMessage))
    assert states == Counter(
        {
            ("call", "sent"): 2 * BROADCAST + 1,
            ("digest", "sent"): 11,
            ("reminder", "sent"): 20,
            ("moderation", "sent"): 2,
            ("idea_published", "sent"): 2,
        }
    ), states
    stderr = (tmp_path / "stderr").read_text()
    assert f"this instance ({survivor}) now leads the scheduled checks" in stderr
    assert "Traceback" not in stderr, stderr[-3000:]
    print(f"{BROADCAST} messages split {shares}; {survivor} led after {leader} was killed")


async def post_update(session: ClientSession, port: int, update: dict) -> int:
    async with session.post(
        f"http://127.0.0.1:{port}/telegram/hook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
    ) as response:
        return response.status


@pytest.mark.dialect  # instances share PostgreSQL: row locks between them
async def test_two_instances_answer_concurrent_updates_for_the_same_people_consistently(tmp_path, shared_postgres):
    import random

    from storage.models import Conversation, ProcessedEvent

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
            processes[name] = await start(
                serve_env(
                    fake,
                    url,
                    port,
                    INSTANCE_NAME=name,
                    TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
                    TELEGRAM_WEBHOOK_SECRET="s3cret-Token_1",
                ),
                tmp_path,
                log,
            )
        async with ClientSession() as session:

            async def up() -> bool:
                try:
                    return all([await post_update(session, port, {"update_id": 0}) == 200 for port in ports.values()])
                except OSError:
                    return False

            while not await up():
                await asyncio.sleep(0.1)
            command = [
                {
                    "update_id": next(update_ids),
                    "message": person._message(
                        text="/idee", entities=[{"type": "bot_command", "offset": 0, "length": 5}]
                    ),
                }
                for person in people
            ]
            assert set(
                await asyncio.gather(
                    *(post_update(session, random.choice(list(ports.values())), update) for update in command)
                )
            ) == {200}
            answers = [
                {"update_id": next(update_ids), "message": person._message(text=text)}
                for person in people
                for text in texts[person.id]
            ]
            random.shuffle(answers)
            statuses = await asyncio.gather(
                *(post_update(session, random.choice(list(ports.values())), update) for update in answers)
            )
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
