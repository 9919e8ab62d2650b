"""The Monday overview at city scale, and residents writing while it is built.

    python -m benchmarks.overview [--people 100000] [--offers 15000] [--programme full|small]
        [--writers 4] [--database-url URL]

Seeds the city with its programme (`benchmarks.city`, `benchmarks.programme`: about 30,000
subscribers, 120 open calls, last week's held announcements), then builds Monday's overview
through the scheduler while `--writers` residents at a time onboard and share an idea through
the core (turns that write dialogue state, a person and an idea), each a new resident when the
last is done, a turn every 20 ms. Prints the overview's seconds and rows, and the residents'
turns during the build against the same turns alone: median, p99, the longest, how many took
over 100 ms and how many were answered "Sorry". Goals (issue 26): overview < 10 s, nobody waits
> 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from benchmarks.city import MONDAY, seed, settle
from benchmarks.programme import PROGRAMMES, Programme
from benchmarks.turns import SCRIPT as TURNS
from benchmarks.turns import SORRY
from bot.assembly import assemble
from bot.config import load_settings
from bot.core import Gangmaker
from bot.events import Inbound
from bot.replies import buttons_of
from bot.scheduler import Jobs
from handlers.calls import jobs
from storage.db import session_factory

PAUSE = 0.02  # between one resident's turns
SLOW = 0.1  # a turn longer than this waited (the goal)


async def writer(bot: Gangmaker, names: itertools.count, timings: list[float], sorry: list[str], until) -> None:
    """Residents one after another, each onboarding and sharing an idea, until `until()`."""
    while not until():
        user, keyboard = f"writer-{next(names)}", None
        for line in TURNS:
            if until():
                return
            if line.startswith("@"):
                button = next(b for b in buttons_of(keyboard) if b.label == line[1:])
                event = Inbound(channel="bench", user_id=user, kind="tap", action=button.action)
            else:
                event = Inbound(channel="bench", user_id=user, kind="text", text=line)
            started = time.perf_counter()
            replies = await bot.handle(event)
            timings.append(time.perf_counter() - started)
            sorry.extend(line for reply in replies if getattr(reply, "text", "").startswith(SORRY))
            keyboard = next((r for r in reversed(replies) if buttons_of(r)), keyboard)
            await asyncio.sleep(PAUSE)


async def lag(until, lags: list[float], every: float = 0.005) -> None:
    """How late the event loop wakes a sleeper: what a turn waits for the loop, not the database."""
    while not until():
        started = time.perf_counter()
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - started - every)


def summary(label: str, timings: list[float], sorry: list[str]) -> dict[str, float]:
    cuts = statistics.quantiles(timings, n=100) if len(timings) > 1 else timings * 99
    figures = {
        "turns": len(timings),
        "p50 ms": statistics.median(timings) * 1000,
        "p99 ms": cuts[98] * 1000,
        "max ms": max(timings) * 1000,
        "over 100 ms": sum(t > SLOW for t in timings),
        "sorry": len(sorry),
    }
    print(
        f"{label:<32} {figures['turns']:5d} turns, p50 {figures['p50 ms']:.1f} ms, p99 {figures['p99 ms']:.1f} ms, "
        f"longest {figures['max ms']:.1f} ms, {figures['over 100 ms']} over 100 ms, {figures['sorry']} Sorry"
    )
    return figures


async def run(
    people: int, offers: int, database_url: str | None, programme: Programme, writers: int = 4, alone_seconds: float = 3
) -> dict[str, object]:
    async with AsyncExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        settings = load_settings(
            database_url=database_url or f"sqlite:///{Path(folder) / 'overview.db'}", _env_file=None
        )
        assembly = await assemble(settings)
        bot, engine = assembly.core, assembly.engine
        stack.push_async_callback(engine.dispose)
        started = time.perf_counter()
        await seed(engine, people, offers, MONDAY, channel="bench", programme=programme)
        print(f"seeded {people} residents, {programme.calls} calls in {time.perf_counter() - started:.1f} s")
        names = itertools.count()
        gc.freeze()  # as `gangmaker serve` does once started (bot.runner)

        async def alone(seconds: float) -> dict[str, float]:
            timings: list[float] = []
            sorry: list[str] = []
            end = time.perf_counter() + seconds
            await asyncio.gather(
                *(writer(bot, names, timings, sorry, lambda: time.perf_counter() > end) for _ in range(writers))
            )
            return summary("residents' turns, alone", timings, sorry)

        figures: dict[str, object] = {"alone": await alone(alone_seconds)}
        await settle(engine)
        building = asyncio.Event()
        timings: list[float] = []
        sorry: list[str] = []
        residents = [asyncio.create_task(writer(bot, names, timings, sorry, building.is_set)) for _ in range(writers)]
        lags: list[float] = []
        residents.append(asyncio.create_task(lag(building.is_set, lags)))
        started, cpu = time.perf_counter(), time.process_time()
        queued = (await Jobs(session_factory(engine), settings, [jobs.digest]).run_due(MONDAY))["digest"]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        building.set()
        await asyncio.gather(*residents)
        print(
            f"Monday overview: {queued} overviews queued in {seconds:.2f} s ({engine.dialect.name}; the process "
            f"used {cpu:.2f} s of CPU meanwhile, the residents' turns included); the loop woke up to "
            f"{max(lags, default=0) * 1000:.0f} ms late"
        )
        figures |= {"overview": queued, "overview seconds": seconds, "loop lag ms": max(lags, default=0) * 1000}
        figures["during"] = summary("residents' turns, meanwhile", timings, sorry)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=15_000)
    parser.add_argument("--programme", choices=PROGRAMMES, default="full")
    parser.add_argument("--writers", type=int, default=4, help="residents writing at a time")
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: an empty database)")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.offers, args.database_url, PROGRAMMES[args.programme], args.writers))


if __name__ == "__main__":
    main()
