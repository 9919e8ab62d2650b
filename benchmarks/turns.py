"""Turn latency: how long the core takes to answer one message, through a whole idea dialogue.

    python -m benchmarks.turns [--people 50] [--database-url URL]

Each simulated resident onboards and shares an idea (about 20 turns); prints turns, total
seconds, turns per second, and the median and 95th-percentile time per turn.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.assembly import assemble
from bot.config import load_settings
from bot.core import Gangmaker
from bot.events import Inbound
from bot.replies import buttons_of

SCRIPT = ["/start", "@Ja, dat is goed", "@Nederlands", "Anna", "@Heule", "@Inwoner", "@Erfgoed", "@Klaar",
          "@Tijd", "@Klaar", "@Meehelpen", "@Nee", "@Klopt", "/idee", "Het Leieboord is grijs.",
          "Kleurrijke bankjes.", "@Overslaan", "@Erfgoed", "@Marke", "@Ja", "@Overslaan", "@Klopt"]


async def resident(bot: Gangmaker, user: str, timings: list[float], silent: list[str]) -> None:
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
        keyboard = next((r for r in reversed(replies) if buttons_of(r)), keyboard)


async def run(people: int, database_url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(database_url=database_url or f"sqlite:///{Path(folder) / 'bench.db'}",
                                 _env_file=None)
        assembly = await assemble(settings)
        bot, engine = assembly.core, assembly.engine
        timings: list[float] = []
        silent: list[str] = []
        started = time.perf_counter()
        await asyncio.gather(*(resident(bot, f"user-{n}", timings, silent) for n in range(people)))
        elapsed = time.perf_counter() - started
        await engine.dispose()
    cuts = statistics.quantiles(timings, n=20)
    print(f"{engine.dialect.name}: {len(timings)} turns by {people} people at once in {elapsed:.1f} s "
          f"({len(timings) / elapsed:.0f} turns/s); per turn median {statistics.median(timings) * 1000:.1f} ms, "
          f"p95 {cuts[18] * 1000:.1f} ms")
    return {"turns": len(timings), "unanswered": len(silent), "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.database_url))


if __name__ == "__main__":
    main()
