"""Replies under load, webhook mode: Gangmaker as `gangmaker serve` runs it, beside a bare echo bot.

    python -m benchmarks.replies [--people 50] [--messages 10] [--pace 20] [--broadcast 1000]
                                 [--rate 30] [--broadcast-rate 25] [--database-url URL]
                                 [--programme full|small]

Both bots run in webhook mode (web server, secret header, scheduler and outbox dispatcher
for Gangmaker) against the fake Bot API on 127.0.0.1, which refuses with 429 past `--rate`
messages a second, as Telegram does. Each of `--people` onboarded residents sends `--messages`
times "/help" (one reply each), POSTed to the webhook as Telegram does: first all at once,
each waiting for its reply before the next (throughput), then paced at `--pace` updates a
second (latency below the rate), and for Gangmaker once more while the outbox dispatches a
call to `--broadcast` other people. Latency runs from the POST to the fake receiving the
sendMessage for that chat; the load and the fake share the benchmark's process, so the echo
bot's figures bound what they cost. Prints a table, Gangmaker's throughput as a share of the
echo bot's, and the broadcast: sent during the paced replies, lost, repeated.
Goals (issue 11): p99 < 50 ms, throughput >= 0.5 of the echo bot, replies never wait behind a broadcast.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector

from benchmarks.echo_bot import EchoBot
from benchmarks.programme import FULL, PROGRAMMES, Programme
from benchmarks.programme import add as add_programme
from bot.assembly import assemble
from bot.channels.telegram.channel import SECRET_HEADER
from bot.config import load_settings
from tests.auxil.builders import publish_call
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.people import add_residents
from tests.auxil.telegram_fixtures import free_port

SECRET = "bench-Secret_1"
TEXT = "/help"
FIRST_RESIDENT, FIRST_RECIPIENT = 1_000, 1_000_000
ANNOUNCED = "📣 Bankjes bouwen"  # how the call's announcement begins (tests.auxil.builders.publish_call)
UPDATE_IDS = itertools.count(1)  # unique across phases: Gangmaker handles an update id once
REPLY_TIMEOUT = 60  # seconds an update may wait for its reply before it counts as unanswered
# Seconds of quiet before each phase. Without them a phase inherits the last one's 429s: after a 429,
# the rate limiters hold every request for retry_after, and the backlog bursts past the server's limit again.
SETTLE = 2


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


class TimedTelegram(FakeTelegram):
    """The fake Bot API, noting when each sendMessage to a resident's chat arrives."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.watched: set[int] = set()
        self.reply_times: dict[int, list[float]] = defaultdict(list)
        self._waiting: dict[int, asyncio.Event] = {}

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        arrived = time.perf_counter()
        message = await super()._sendMessage(params)
        chat = message["chat"]["id"]
        if chat in self.watched:
            self.reply_times[chat].append(arrived)
            if chat in self._waiting:
                self._waiting.pop(chat).set()
        return message

    async def replied(self, chat: int, count: int, timeout: float = REPLY_TIMEOUT) -> bool:
        """Wait until `chat` has had `count` replies; False when they did not come in time."""
        try:
            async with asyncio.timeout(timeout):
                while len(self.reply_times[chat]) < count:
                    await self._waiting.setdefault(chat, asyncio.Event()).wait()
        except TimeoutError:
            return False
        return True

    def sent_to(self, chats: set[int]) -> Counter:
        """The call's announcements each of `chats` got (not the programme's own messages)."""
        return Counter(
            c.params["chat_id"]
            for c in self.calls_to("sendMessage")
            if c.params["chat_id"] in chats and c.params.get("text", "").startswith(ANNOUNCED)
        )


class Load:
    """Residents writing to one bot's webhook, one phase of the benchmark."""

    def __init__(self, fake: TimedTelegram, chats: list[int], url: str, http: ClientSession, settle: float) -> None:
        self.fake, self.chats, self.url, self.http, self.settle = fake, chats, url, http, settle
        self.sent: dict[int, list[float]] = defaultdict(list)

    async def begin(self) -> float:
        await asyncio.sleep(self.settle)
        self.fake.reply_times.clear()
        self._refused = len(self.fake.refused(429))
        return time.perf_counter()

    async def send(self, chat: int) -> None:
        n = len(self.sent[chat])
        message = {
            "message_id": n + 1,
            "date": int(time.time()),
            "text": TEXT,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(TEXT)}],
            "from": {"id": chat, "is_bot": False, "first_name": "Inwoner", "language_code": "nl"},
            "chat": {"id": chat, "type": "private", "first_name": "Inwoner"},
        }
        update = {"update_id": next(UPDATE_IDS), "message": message}
        self.sent[chat].append(time.perf_counter())
        async with self.http.post(self.url, json=update, headers={SECRET_HEADER: SECRET}) as response:
            if response.status != 200:
                raise RuntimeError(f"the webhook answered {response.status}")

    async def all_at_once(self, messages: int) -> dict[str, float]:
        """Everyone at once, each sending the next message when the reply to the last has come."""

        async def resident(chat: int) -> None:
            for n in range(1, messages + 1):
                await self.send(chat)
                if not await self.fake.replied(chat, n):
                    return

        started = await self.begin()
        await asyncio.gather(*(resident(chat) for chat in self.chats))
        return self.figures(started)

    async def paced(self, messages: int, pace: float) -> dict[str, float]:
        """`pace` updates a second, the residents in turn, whether or not the replies keep up."""
        started = await self.begin()
        posts = []
        for number, chat in enumerate(chat for _ in range(messages) for chat in self.chats):
            await asyncio.sleep(max(0.0, started + number / pace - time.perf_counter()))
            posts.append(asyncio.create_task(self.send(chat)))
        await asyncio.gather(*posts)
        await asyncio.gather(*(self.fake.replied(chat, len(self.sent[chat])) for chat in self.chats))
        return self.figures(started)

    def figures(self, started: float) -> dict[str, float]:
        arrivals = self.fake.reply_times
        latencies = [r - s for chat in self.chats for s, r in zip(self.sent[chat], arrivals[chat], strict=False)]
        last = max((times[-1] for times in arrivals.values() if times), default=started)
        seconds = max(last - started, 1e-9)
        return {
            "updates": sum(len(times) for times in self.sent.values()),
            "answered": len(latencies),
            "extra": sum(max(0, len(arrivals[c]) - len(self.sent[c])) for c in self.chats),
            "seconds": seconds,
            "per_second": len(latencies) / seconds,
            "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": max(latencies, default=0) * 1000,
            "429s": len(self.fake.refused(429)) - self._refused,
        }


async def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def gangmaker(
    fake: TimedTelegram,
    http: ClientSession,
    people: int,
    messages: int,
    pace: float,
    broadcast: int,
    rate: float,
    broadcast_rate: float,
    url: str,
    settle: float,
    programme: Programme = FULL,
) -> dict[str, Any]:
    """Gangmaker's three phases: all at once, paced, and paced during a broadcast, in a city with
    `programme` going on."""
    port = free_port()
    settings = load_settings(
        telegram_token=fake.token,
        telegram_base_url=fake.url,
        database_url=url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_secret=SECRET,
        host="127.0.0.1",
        port=port,
        telegram_rate=rate,
        telegram_broadcast_rate=broadcast_rate,
        # the residents write as often as the benchmark says, not to flood
        flood_limit="100000/minute",
        log_level="WARNING",
        _env_file=None,
    )
    assembly = await assemble(settings)
    now = datetime.now(timezone.utc)
    recipients = {
        user.id
        for user in await add_residents(
            assembly.engine,
            fake,
            broadcast,
            now,
            first_id=FIRST_RECIPIENT,
            neighbourhood="heule",
            quiet_start=0,
            quiet_end=0,
        )
    }
    # The programme around the recipients (persons 1..broadcast), so its own messages (feedback asked
    # after past calls) share the dispatcher with the broadcast, and never reach the chats timed.
    await add_programme(assembly.engine, programme, broadcast, now)
    residents = await add_residents(
        assembly.engine, fake, people, now, first_id=FIRST_RESIDENT, neighbourhood="marke", quiet_start=0, quiet_end=0
    )
    chats = [user.id for user in residents]
    fake.watched = set(chats)
    await assembly.start()  # the web server, the channel with its webhook, the scheduler and the dispatcher
    try:
        hook = settings.telegram_webhook_url
        rows = {
            "Gangmaker, all at once": await Load(fake, chats, hook, http, settle).all_at_once(messages),
            "Gangmaker, paced": await Load(fake, chats, hook, http, settle).paced(messages, pace),
        }
        await publish_call(assembly.engine, settings, datetime.now(timezone.utc), target_neighbourhoods=["heule"])
        await wait_until(lambda: fake.sent_to(recipients), timeout=10)  # the dispatcher has begun
        before, slow_before = sum(fake.sent_to(recipients).values()), slow(assembly)
        rows["Gangmaker, paced, broadcasting"] = await Load(fake, chats, hook, http, settle).paced(messages, pace)
        during = sum(fake.sent_to(recipients).values()) - before
        rows["Gangmaker, paced, broadcasting"] |= {
            name: count - slow_before[name] for name, count in slow(assembly).items()
        }
        await wait_until(
            lambda: len(fake.sent_to(recipients)) == len(recipients), timeout=10 + 2 * broadcast / broadcast_rate
        )
    finally:
        await assembly.stop()
    counts = fake.sent_to(recipients)
    rows["Gangmaker, paced, broadcasting"]["pushes"] = during
    return {
        "rows": rows,
        "broadcast": {
            "recipients": len(recipients),
            "during_replies": during,
            "lost": len(recipients - set(counts)),
            "repeated": sum(n - 1 for n in counts.values()),
        },
    }


def slow(assembly: Any) -> dict[str, float]:
    """Where a slow reply lost its time, from /metrics: turns the core took over 25 ms to handle
    (any channel), and replies that waited over 25 ms for Telegram's limits."""
    sample = assembly.core.metrics.registry.get_sample_value

    def over(name: str, labels: dict[str, str]) -> float:
        count = sample(f"{name}_count", labels) or 0
        return count - (sample(f"{name}_bucket", labels | {"le": "0.025"}) or 0)

    return {
        "slow turns": over("gangmaker_turn_seconds", {"channel": "telegram"}),
        "slow waits": over("gangmaker_flood_limit_wait_seconds", {"channel": "telegram", "kind": "reply"}),
    }


async def echo(
    fake: TimedTelegram, http: ClientSession, people: int, messages: int, pace: float, rate: float, settle: float
) -> dict[str, dict[str, float]]:
    """The echo bot's two phases, for the same residents."""
    chats = [FIRST_RESIDENT + n for n in range(people)]
    fake.watched = set(chats)
    bot = EchoBot(fake.token, fake.url, rate, SECRET)
    hook = await bot.start(free_port())
    try:
        return {
            "echo bot, all at once": await Load(fake, chats, hook, http, settle).all_at_once(messages),
            "echo bot, paced": await Load(fake, chats, hook, http, settle).paced(messages, pace),
        }
    finally:
        await bot.stop()


async def run(
    people: int = 50,
    messages: int = 10,
    database_url: str | None = None,
    *,
    pace: float = 20,
    broadcast: int = 1000,
    rate: float = 30,
    broadcast_rate: float = 25,
    settle: float = SETTLE,
    programme: Programme = FULL,
) -> dict[str, Any]:
    """Run both bots under the same load; returns the rows of the table and the broadcast's tally."""
    fake = TimedTelegram(rate_per_second=rate)
    await fake.start()
    try:
        async with ClientSession(connector=TCPConnector(limit=0)) as http:
            with tempfile.TemporaryDirectory() as folder:
                url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
                result = await gangmaker(
                    fake, http, people, messages, pace, broadcast, rate, broadcast_rate, url, settle, programme
                )
            result["rows"] |= await echo(fake, http, people, messages, pace, rate, settle)
    finally:
        await fake.stop()
    result["database"] = (database_url or "sqlite").split(":")[0].split("+")[0]
    return result


def report(result: dict[str, Any], pace: float) -> None:
    rows = result["rows"]
    print(
        f"{'':32} {'updates':>7} {'answered':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'per s':>6} "
        f"{'extra':>5} {'429s':>5} {'pushes':>6}"
    )
    for label, row in rows.items():
        print(
            f"{label:32} {row['updates']:7} {row['answered']:8} {row['p50_ms']:7.1f} {row['p99_ms']:7.1f} "
            f"{row['max_ms']:7.1f} {row['per_second']:6.1f} {row['extra']:5} {row['429s']:5} {row.get('pushes', ''):>6}"
        )
    ratio = rows["Gangmaker, all at once"]["per_second"] / rows["echo bot, all at once"]["per_second"]
    tally = result["broadcast"]
    print(f"throughput, Gangmaker / echo bot: {ratio:.2f} (goal >= 0.5); paced at {pace:g} updates/s")
    print(
        f"broadcast to {tally['recipients']}: {tally['during_replies']} sent during the paced replies, "
        f"{tally['lost']} lost, {tally['repeated']} repeated"
    )
    during = rows["Gangmaker, paced, broadcasting"]
    print(
        f"during it: {during['slow turns']:.0f} turns took the core over 25 ms, {during['slow waits']:.0f} replies "
        f"waited over 25 ms for the flood limits"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10, help="per resident, per phase")
    parser.add_argument("--pace", type=float, default=20, help="updates per second in the paced phases")
    parser.add_argument("--broadcast", type=int, default=1000, help="people the call goes out to")
    parser.add_argument("--rate", type=float, default=30, help="the server's limit and TELEGRAM_RATE (messages/s)")
    parser.add_argument("--broadcast-rate", type=float, default=25, help="TELEGRAM_BROADCAST_RATE (messages/s)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: an empty database)")
    parser.add_argument("--programme", choices=PROGRAMMES, default="full", help="the city's calls, sign-ups, ideas")
    args = parser.parse_args()
    result = asyncio.run(
        run(
            args.people,
            args.messages,
            args.database_url,
            pace=args.pace,
            broadcast=args.broadcast,
            rate=args.rate,
            broadcast_rate=args.broadcast_rate,
            programme=PROGRAMMES[args.programme],
        )
    )
    print(
        f"{result['database']}: {args.people} residents x {args.messages} messages per phase, server limit "
        f"{args.rate:g}/s, broadcast rate {args.broadcast_rate:g}/s"
    )
    report(result, args.pace)


if __name__ == "__main__":
    main()
