"""Turn latency: how long the core takes to answer one message, through a whole idea dialogue.

    python -m benchmarks.turns [--people 50] [--population 0] [--broadcast 0] [--database-url URL]

Each simulated resident onboards and shares an idea (about 20 turns), all at once; prints
turns, total seconds, turns per second, the median and 95th-percentile time per turn, and the
turns answered "Sorry" (a turn that failed, e.g. on "database is locked"). `--population`
first seeds that many other residents (a step must stay as fast with 100,000); `--broadcast`
publishes a call to that many residents with Telegram chats on a fake Bot API and keeps the
scheduled checks and the outbox dispatcher running meanwhile, as `gangmaker serve` does.
Goals (issue 11): no "Sorry" with 200 residents at once and the dispatcher; a step stays flat.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.city import seed
from bot.assembly import Assembly, assemble
from bot.config import load_settings
from bot.core import Gangmaker
from bot.events import Inbound
from bot.replies import buttons_of
from tests.auxil.builders import publish_call
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.people import add_residents

SCRIPT = [
    "/start",
    "@Ja, dat is goed",
    "@Nederlands",
    "Anna",
    "@Heule",
    "@Inwoner",
    "@Erfgoed",
    "@Klaar",
    "@Tijd",
    "@Klaar",
    "@Meehelpen",
    "@Nee",
    "@Klopt",
    "/idee",
    "Het Leieboord is grijs.",
    "Kleurrijke bankjes.",
    "@Overslaan",
    "@Erfgoed",
    "@Marke",
    "@Ja",
    "@Overslaan",
    "@Klopt",
]
SORRY = "Sorry"  # how the core's answer to a failed turn begins, in Dutch and English


async def resident(bot: Gangmaker, user: str, timings: list[float], silent: list[str], sorry: list[str]) -> None:
    keyboard = None
    for line in SCRIPT:
        if line.startswith("@"):
            button = next(b for b in buttons_of(keyboard) if b.label == line[1:])
            event = Inbound(channel="bench", user_id=user, kind="tap", action=button.action)
        else:
            event = Inbound(channel="bench", user_id=user, kind="text", text=line)
        started = time.perf_counter()
        replies = await bot.handle(event)
        timings.append(time.perf_counter() - started)
        if not replies:
            silent.append(line)
        sorry.extend(line for reply in replies if getattr(reply, "text", "").startswith(SORRY))
        keyboard = next((r for r in reversed(replies) if buttons_of(r)), keyboard)


async def broadcasting(assembly: Assembly, done: asyncio.Event) -> int:
    """The scheduled checks and the dispatcher, as `gangmaker serve` runs them, until `done`."""
    sent = 0
    while not done.is_set():
        await assembly.jobs.run_due(datetime.now(timezone.utc))
        sent += await assembly.dispatcher.tick()
        await asyncio.sleep(0.05)
    return sent


async def run(people: int, database_url: str | None, *, population: int = 0, broadcast: int = 0) -> dict[str, float]:
    async with AsyncExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        values = dict(database_url=database_url or f"sqlite:///{Path(folder) / 'bench.db'}", _env_file=None)
        if broadcast:
            fake = FakeTelegram()
            await fake.start()
            stack.push_async_callback(fake.stop)
            values |= dict(telegram_token=fake.token, telegram_base_url=fake.url)
        settings = load_settings(**values)
        assembly = await assemble(settings)
        bot, engine = assembly.core, assembly.engine
        stack.push_async_callback(engine.dispose)
        now = datetime.now(timezone.utc)
        if population:
            await seed(engine, population, 0, now, channel="bench")  # no chat a broadcast could reach
        done, sender = asyncio.Event(), None
        if broadcast:
            channel = assembly.channels["telegram"]
            await channel.application.initialize()
            stack.push_async_callback(channel.application.shutdown)
            await add_residents(engine, fake, broadcast, now, first_id=10_000_000, quiet_start=0, quiet_end=0)
            await publish_call(engine, settings, now)
            sender = asyncio.create_task(broadcasting(assembly, done))
        timings: list[float] = []
        silent: list[str] = []
        sorry: list[str] = []
        started = time.perf_counter()
        await asyncio.gather(*(resident(bot, f"user-{n}", timings, silent, sorry) for n in range(people)))
        elapsed = time.perf_counter() - started
        done.set()
        pushed = await sender if sender else 0
    cuts = statistics.quantiles(timings, n=20)
    print(
        f"{engine.dialect.name}: {len(timings)} turns by {people} people at once in {elapsed:.1f} s "
        f"({len(timings) / elapsed:.0f} turns/s) among {population} other residents"
        f"{f', {pushed} pushes sent meanwhile' if broadcast else ''}; per turn median "
        f"{statistics.median(timings) * 1000:.1f} ms, p95 {cuts[18] * 1000:.1f} ms; {len(sorry)} answered Sorry"
    )
    return {"turns": len(timings), "unanswered": len(silent), "sorry": len(sorry), "seconds": elapsed, "pushed": pushed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--population", type=int, default=0, help="other residents seeded first")
    parser.add_argument(
        "--broadcast",
        type=int,
        default=0,
        help="residents a call goes out to meanwhile (scheduled checks and dispatcher running)",
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.database_url, population=args.population, broadcast=args.broadcast))


if __name__ == "__main__":
    main()
