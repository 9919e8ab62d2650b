"""Question rounds at city scale: sending a round to everyone, and answering while others chat.

    python -m benchmarks.rounds [--people 100000] [--answerers 300] [--rate 100] [--database-url URL]

Seeds the residents (all of them think along), then times: the owner's turn that sends a round
to everyone (audience and the first batch), the rest of the audience queued in the background,
and answer turns through the core at `--rate` answers a second while other residents open their
menu at 20 a second, beside the same residents alone. Prints seconds, and p50/p99 per turn.
Goals (issue 23): the owner's turn < 1 s, the background < 10 s, an answer p99 < 50 ms with
nobody else's reply slower than without the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.city import seed, timed
from bot.assembly import assemble
from bot.config import load_settings
from bot.core import Gangmaker
from bot.events import Inbound
from bot.replies import Action
from bot.scheduler import Jobs
from handlers.rounds import jobs, service
from storage.db import session_factory
from storage.models import OutboxMessage, RoundAnswer
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


async def run(people: int, answerers: int, rate: float, database_url: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(database_url=database_url or f"sqlite:///{Path(folder) / 'rounds.db'}", _env_file=None)
        assembly = await assemble(settings)
        bot, engine = assembly.core, assembly.engine
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
                select(func.count(OutboxMessage.id)).where(OutboxMessage.key.like(f"round:{round_.id}:%"))
            )
        print(f"queued: {figures['queued']}")

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

        await asyncio.gather(
            paced(rate, seconds, answer),
            paced(OTHERS_RATE, seconds, lambda n: turn(bot, str(people - n), beside, kind="text", text="/menu")),
        )
        print(f"answers at {rate:.0f}/s:".ljust(44), percentiles(answered))
        print(f"others meanwhile, {OTHERS_RATE}/s:".ljust(44), percentiles(beside))
        async with sessions() as session:
            figures["answers"] = await session.scalar(select(func.count(RoundAnswer.id)))
        print(f"answers kept: {figures['answers']}")
        await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--answerers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: an empty database)")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.answerers, args.rate, args.database_url))


if __name__ == "__main__":
    main()
