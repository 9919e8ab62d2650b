"""Broadcast throughput: one call to N residents through the real Telegram channel and the
outbox dispatcher, against the fake Bot API enforcing Telegram's 30 messages/second.

    python -m benchmarks.broadcast [--people 500] [--latency 0.05] [--concurrency 1 4 8]
                                   [--rate 30] [--broadcast-rate 25]

Prints, per dispatcher concurrency: messages sent, seconds, messages per second, 429s the
server answered, and repeated messages (must be 0).
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bot.assembly import assemble
from bot.config import load_settings
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.people import add_residents
from tests.test_outbox import publish_call


async def run(people: int, latency: float, concurrency: int, database_url: str | None,
              rate: float = 30, broadcast_rate: float = 25) -> dict[str, float]:
    fake = FakeTelegram(rate_per_second=rate)
    await fake.start()
    fake.send_delay = latency
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(telegram_token=fake.token, telegram_base_url=fake.url, database_url=url,
                                 outbox_concurrency=concurrency, telegram_rate=rate,
                                 telegram_broadcast_rate=broadcast_rate, _env_file=None)
        assembly = await assemble(settings)
        now = datetime.now(timezone.utc)
        await add_residents(assembly.engine, fake, people, now, quiet_start=0, quiet_end=0)
        await publish_call(assembly.engine, settings, now)
        await assembly.jobs.run_due(now)  # the rest of a big audience is queued in the background
        channel = assembly.channels["telegram"]
        await channel.application.initialize()
        started = time.perf_counter()
        sent = await assembly.dispatcher.drain()
        elapsed = time.perf_counter() - started
        await channel.application.shutdown()
        await assembly.engine.dispose()
    await fake.stop()
    counts = Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage"))
    return {"sent": sent, "seconds": elapsed, "per_second": sent / elapsed, "429s": len(fake.refused(429)),
            "repeated": sum(n - 1 for n in counts.values()), "reached": len(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per sendMessage at the server")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--rate", type=float, default=30, help="the server's limit and TELEGRAM_RATE (messages/s)")
    parser.add_argument("--broadcast-rate", type=float, default=25, help="TELEGRAM_BROADCAST_RATE (messages/s)")
    args = parser.parse_args()
    print(f"broadcast to {args.people} people, {args.latency * 1000:.0f} ms per request, server limit {args.rate:g}/s, "
          f"broadcast rate {args.broadcast_rate:g}/s")
    for concurrency in args.concurrency:
        figures = asyncio.run(run(args.people, args.latency, concurrency, args.database_url, args.rate,
                                  args.broadcast_rate))
        print(f"concurrency {concurrency}: {figures['sent']} sent in {figures['seconds']:.1f} s "
              f"({figures['per_second']:.1f}/s, {100 * figures['per_second'] / args.broadcast_rate:.0f}% of the "
              f"broadcast rate), {figures['429s']} answered 429, {figures['repeated']} repeated")


if __name__ == "__main__":
    main()
