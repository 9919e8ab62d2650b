"""Question rounds at city scale: sending a round to everyone, and answering while others chat.

    python -m benchmarks.rounds [--people 100000] [--answerers 300] [--rate 100] [--database-url URL]

Seeds the residents (all of them think along), then times: the owner's turn that sends a round
to everyone (audience and the first batch), the rest of the audience queued in the background,
and answer turns through the core at `--rate` answers a second while other residents open their
menu at 20 a second, beside the same residents alone. Prints seconds, and p50/p99 per turn.
Then everyone answers (straight into the database), and it times the live card's figures, and the
report (figures, PNG, PDF, CSV) with 10 closed rounds. Goals (issue 23): the owner's turn < 1 s,
the background < 10 s, an answer p99 < 50 ms with nobody else's reply slower than without the
answers, the live card < 200 ms at 100,000 answers, the report < 5 s.

Where an answer's tail goes (issue 23): beside the turns it prints how long turns waited for a pooled
connection (each checkout of DATABASE_POOL_SIZE, `--pool-size`) and how late the event loop woke a
task that slept 5 ms (its lag: other turns holding the one thread), p50 / p99 / max, and the CPU the
process used a second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

from benchmarks.city import BATCH, seed, settle, timed
from bot.assembly import assemble
from bot.config import load_settings
from bot.core import Gangmaker
from bot.events import Inbound
from bot.i18n import translator
from bot.replies import Action
from bot.scheduler import Jobs
from handlers.impact import figures as impact
from handlers.impact.report import csv_files, dashboard_png, report_pdf
from handlers.rounds import jobs, results, service
from storage.db import session_factory
from storage.models import OutboxMessage, Round, RoundAnswer, RoundResponse
from storage.repositories import referenced
from tests.auxil.builders import QUESTIONS

CHANNEL = "bench"
OTHERS_RATE = 20  # other residents' turns a second
ANSWERS = ("4", "1", "Aan de brug")  # a scale, a choice, an open answer


def percentiles(timings: list[float]) -> str:
    if len(timings) < 2:
        return "n/a"
    cuts = statistics.quantiles(timings, n=100)
    return f"p50 {statistics.median(timings) * 1000:6.1f} ms   p99 {cuts[98] * 1000:6.1f} ms   ({len(timings)} turns)"


async def turn(bot: Gangmaker, user: str, timings: list[float], **event) -> None:
    started = time.perf_counter()
    await bot.handle(Inbound(channel=CHANNEL, user_id=user, **event))
    timings.append(time.perf_counter() - started)


async def paced(rate: float, seconds: float, make) -> None:
    """Start `make(n)` `rate` times a second for `seconds`, without waiting for each to end."""
    tasks, started = [], time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(make(n)))
    await asyncio.gather(*tasks)


def spread(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p99 {p99 * 1000:6.1f} ms   "
        f"max {ordered[-1] * 1000:6.1f} ms   ({len(ordered)})"
    )


def time_checkouts(engine) -> list[float]:
    """Note how long each checkout of a pooled connection waited (the pool's own method, timed)."""
    pool = engine.sync_engine.pool
    waits: list[float] = []
    original = pool._do_get

    def timed():
        started = time.perf_counter()
        try:
            return original()
        finally:
            waits.append(time.perf_counter() - started)

    pool._do_get = timed
    return waits


def time_commits(engine) -> list[float]:
    """Note how long each COMMIT took at the database (timing statements does not see it: on
    PostgreSQL it is where the server waits for its write-ahead log to reach the disk)."""
    commits: list[float] = []
    dialect = engine.sync_engine.dialect
    original = dialect.do_commit

    def do_commit(dbapi_connection) -> None:
        begun = time.perf_counter()
        try:
            original(dbapi_connection)
        finally:
            commits.append(time.perf_counter() - begun)

    dialect.do_commit = do_commit
    return commits


async def loop_lag(lags: list[float], stop: asyncio.Event, every: float = 0.005) -> None:
    """How late the event loop wakes a task that sleeps `every` seconds, until `stop`."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - started - every)


async def run(
    people: int, answerers: int, rate: float, database_url: str | None, pool_size: int | None = None
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            database_url=database_url or f"sqlite:///{Path(folder) / 'rounds.db'}",
            _env_file=None,
            **({"database_pool_size": pool_size} if pool_size else {}),
        )
        assembly = await assemble(settings)
        bot, engine = assembly.core, assembly.engine
        checkouts, commits = time_checkouts(engine), time_commits(engine)
        now = datetime.now(timezone.utc)
        await timed(f"seed {people} residents", lambda: seed(engine, people, 0, now, channel=CHANNEL))
        sessions = session_factory(engine)
        answers = {"title": "Bankjes aan de Leie", "why": "We kiezen samen waar de bankjes komen."}
        round_ = service.new_round(answers | {"closes_at": (now + timedelta(days=7)).isoformat()}, QUESTIONS, None, now)

        async def publish() -> int:
            async with sessions() as session, session.begin():
                session.add(round_)
                await session.flush()
                return await service.publish(session, settings, round_, now)

        figures: dict[str, object] = {"reach": await timed("send a round to everyone: the owner's turn", publish)}
        background = Jobs(sessions, settings, [jobs.announce_rounds])

        async def rest() -> int:
            return (await background.run_due(now))["announce_rounds"]

        await timed("  the rest of its audience, in the background", rest)
        async with sessions() as session:
            figures["queued"] = await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.key.like(f"round:{round_.id}:person:%"))
            )
        print(f"queued: {figures['queued']}")
        await settle(engine)

        seconds = answerers * len(ANSWERS) / rate
        alone: list[float] = []
        await paced(OTHERS_RATE, seconds, lambda n: turn(bot, str(people - n), alone, kind="text", text="/menu"))
        print(f"others alone, {OTHERS_RATE}/s:".ljust(44), percentiles(alone))
        for n in range(1, answerers + 1):  # each answerer opens the round first (not timed)
            await bot.handle(
                Inbound(channel=CHANNEL, user_id=str(n), kind="tap", action=Action.of("round", "answer", round_.id))
            )
        answered: list[float] = []
        beside: list[float] = []

        async def answer(n: int) -> None:
            await turn(bot, str(1 + n % answerers), answered, kind="text", text=ANSWERS[n // answerers])

        checkouts.clear()
        commits.clear()
        lags: list[float] = []
        stop = asyncio.Event()
        lagging = asyncio.create_task(loop_lag(lags, stop))
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(
            paced(rate, seconds, answer),
            paced(OTHERS_RATE, seconds, lambda n: turn(bot, str(people - n), beside, kind="text", text="/menu")),
        )
        busy = (time.process_time() - cpu) / (time.perf_counter() - wall)
        stop.set()
        await lagging
        print(f"answers at {rate:.0f}/s:".ljust(44), percentiles(answered))
        print(f"others meanwhile, {OTHERS_RATE}/s:".ljust(44), percentiles(beside))
        print("  waits for a pooled connection:".ljust(44), spread(checkouts))
        print("  event loop lag (a 5 ms sleep, late by):".ljust(44), spread(lags))
        print("  COMMITs at the database:".ljust(44), spread(commits))
        print(f"  CPU of this process: {busy:.2f} s a second (pool size {settings.database_pool_size})")
        figures["pool p99"] = sorted(checkouts)[int(0.99 * (len(checkouts) - 1))] if checkouts else 0.0
        async with sessions() as session:
            figures["answers"] = await session.scalar(select(func.count(RoundAnswer.id)))
        print(f"answers kept: {figures['answers']}")

        await timed(f"seed {people} answers to the round", lambda: seed_answers(engine, round_.id, people, now))

        async def live_card() -> int:
            async with sessions() as session:
                shown = await results.gather(session, await referenced(session, Round, round_.id))
                return int(shown.respondents) if isinstance(shown.respondents, int) else 0

        figures["card respondents"] = await timed("the live card's figures", live_card)
        await timed(f"9 more closed rounds of {people // 10} answers", lambda: closed_rounds(engine, people, now))

        async def report() -> int:
            first, last = (now - timedelta(days=30)).date(), (now + timedelta(days=1)).date()
            start, end = impact.period(first, last, settings.timezone)
            async with sessions() as session:
                gathered = await impact.gather(session, start, end, locale="nl")
            t = translator("nl", settings.timezone)
            files = [dashboard_png(gathered, t, now), report_pdf(gathered, t, now), *csv_files(gathered, t).values()]
            return int(gathered.summary("rounds") or 0) + 0 * len(files)

        figures["report rounds"] = await timed("the report (figures, PNG, PDF, CSV)", report)
        await engine.dispose()
    return figures


async def seed_answers(engine, round_id: int, people: int, now: datetime) -> None:
    """Everyone answers the round straight into the database: a scale, a choice, one in ten writes."""
    async with session_factory(engine)() as session, session.begin():
        done = set(await session.scalars(select(RoundResponse.person_id).where(RoundResponse.round_id == round_id)))
        for start in range(1, people + 1, BATCH):
            ids = [n for n in range(start, min(start + BATCH, people + 1)) if n not in done]
            rows = [
                dict(round_id=round_id, person_id=n, locale="nl", started_at=now, completed_at=now, updated_at=now)
                for n in ids
            ]
            if not rows:
                continue
            made = (
                await session.execute(insert(RoundResponse).returning(RoundResponse.id, RoundResponse.person_id), rows)
            ).all()
            answers = []
            for response_id, person_id in made:
                answers.append(
                    dict(response_id=response_id, round_id=round_id, question=0, option=1 + person_id % 5, at=now)
                )
                answers.append(
                    dict(
                        response_id=response_id,
                        round_id=round_id,
                        question=1,
                        option=person_id % 3 - (person_id % 3 == 2),
                        at=now,
                    )
                )
                if person_id % 10 == 0:
                    answers.append(
                        dict(
                            response_id=response_id,
                            round_id=round_id,
                            question=2,
                            text=f"Bij de brug {person_id % 50}",
                            at=now,
                        )
                    )
            await session.execute(insert(RoundAnswer), answers)
    await settle(engine)


async def closed_rounds(engine, people: int, now: datetime) -> None:
    """Nine more rounds, each answered by a tenth of the city, closed with what was done; and the first one closed."""
    async with session_factory(engine)() as session, session.begin():
        made = []
        for n in range(9):
            answers = {"title": f"Bevraging {n}", "why": "Waarom.", "closes_at": (now + timedelta(days=7)).isoformat()}
            round_ = service.new_round(answers, QUESTIONS, None, now)
            round_.state, round_.published_at = "open", now
            session.add(round_)
            made.append(round_)
        await session.flush()
        ids = [round_.id for round_ in made]
    for round_id in ids:
        await seed_answers(engine, round_id, people // 10, now)
    async with session_factory(engine)() as session, session.begin():
        for round_ in await session.scalars(select(Round)):
            round_.state, round_.closed_at, round_.outcome, round_.outcome_at = "closed", now, "We doen het.", now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--answerers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: an empty database)")
    parser.add_argument("--pool-size", type=int, help="DATABASE_POOL_SIZE (PostgreSQL; default: the setting's)")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.answerers, args.rate, args.database_url, args.pool_size))


if __name__ == "__main__":
    main()
