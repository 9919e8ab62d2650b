"""The coordinator's preview at city scale: the reach and the fitting offers of a call for everyone.

    python -m benchmarks.preview [--people 100000] [--offers 20000] [--runs 20] [--programme full|small]
                                 [--database-url URL] [--verbose]

Seeds the residents and the full programme (as `benchmarks.city`; `--programme small` for none) and open offers of every kind (time with moments and a
start, expertise with tags, gifts), then times the coordinator's turn that shows a call's summary
with its reach: a tap on "Aanpassen" of a draft call for everyone that needs time and expertise,
through the core. Prints p50 / max of the turn and the statements it ran. Goal (issue 26): < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, insert

from benchmarks.city import MONDAY, call, seed, settle
from benchmarks.programme import PROGRAMMES, SMALL, Programme
from bot.assembly import assemble
from bot.config import load_settings
from bot.events import Inbound
from bot.replies import Action
from storage.db import session_factory
from storage.models import Offer

COORDINATOR = "coco"
TAGS = ("carpentry", "cooking", "photography", "music")


def offer(n: int, people: int, now: datetime) -> dict:
    """An open offer: two in three of time, then expertise (with tags), then a gift."""
    kind = ("time", "time", "expertise", "gift")[n % 4]
    details = {
        "time": {"hours": 1 + n % 20, "moments": ["weekend"], "start": now.date().isoformat()},
        "expertise": {"skills": "Timmeren", "tags": [TAGS[n % len(TAGS)]]},
        "gift": {"kind": "material", "what": "Planken"},
    }[kind]
    return dict(
        person_id=1 + (n * 5) % people, kind=kind, state="open", details=details, created_at=now, updated_at=now
    )


async def run(
    people: int,
    offers: int,
    runs: int,
    database_url: str | None,
    verbose: bool = False,
    programme: Programme = SMALL,
) -> dict[str, float | str]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            database_url=database_url or f"sqlite+aiosqlite:///{Path(folder) / 'preview.db'}",
            coordinator_console_users=[COORDINATOR],
            _env_file=None,
        )
        assembly = await assemble(settings)
        bot, engine = assembly.core, assembly.engine
        now = MONDAY
        await seed(engine, people, 0, now, channel="bench", programme=programme)
        async with session_factory(engine)() as session, session.begin():
            for start in range(0, offers, 5000):
                await session.execute(
                    insert(Offer), [offer(n, people, now) for n in range(start, min(offers, start + 5000))]
                )
            draft = call(now, needs=["time", "expertise"])
            session.add(draft)
        await settle(engine)
        await bot.handle(Inbound(channel="console", user_id=COORDINATOR, kind="text", text="/start"))
        statements: list[str] = []
        slowest: dict[str, float] = {}

        def before(*args) -> None:
            statements.append(args[2])
            args[4]._started = time.perf_counter()

        def after(*args) -> None:
            took = time.perf_counter() - args[4]._started
            slowest[args[2]] = max(slowest.get(args[2], 0), took)

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
        timings, cpu = [], []
        for _ in range(runs):
            statements.clear()
            started, used = time.perf_counter(), time.process_time()
            replies = await bot.handle(
                Inbound(channel="console", user_id=COORDINATOR, kind="tap", action=Action.of("coord", "edit", draft.id))
            )
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            await bot.handle(Inbound(channel="console", user_id=COORDINATOR, kind="text", text="/stop"))
        text = "\n".join(getattr(reply, "text", "") for reply in replies)
        assert "Mensen die de oproep krijgen" in text, text
        reach = next(line for line in text.splitlines() if "Mensen die de oproep krijgen" in line)
        print(reach)
        figures: dict[str, float | str] = {
            "reach": reach,
            "p50_ms": statistics.median(timings) * 1000,
            "max_ms": max(timings) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "statements": len(statements),
        }
        print(
            f"preview turn, call for everyone, {people} residents, {offers} offers: p50 {figures['p50_ms']:.1f} ms, "
            f"max {figures['max_ms']:.1f} ms ({runs} runs), {len(statements)} statements; CPU of this process "
            f"(SQLite: the queries too) p50 {figures['cpu_ms']:.1f} ms"
        )
        if verbose:
            for statement, took in sorted(slowest.items(), key=lambda item: -item[1])[:4]:
                print(f"  {took * 1000:6.1f} ms  {' '.join(statement.split())[:150]}")
        await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: an empty database)")
    parser.add_argument("--verbose", action="store_true", help="also the slowest statements")
    parser.add_argument("--programme", choices=PROGRAMMES, default="full", help="the city's calls and ideas")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.offers, args.runs, args.database_url, args.verbose, PROGRAMMES[args.programme]))


if __name__ == "__main__":
    main()
