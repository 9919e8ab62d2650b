"""Broadcast throughput: one call to N residents through the real Telegram channel and the
outbox dispatcher, against the fake Bot API enforcing Telegram's 30 messages/second.

    python -m benchmarks.broadcast [--people 500] [--latency 0.05] [--concurrency 1 4 8]
                                   [--rate 30] [--broadcast-rate 25] [--apart] [--instances 1]
                                   [--scheduled] [--profile FILE] [--programme full|small]

Prints, per dispatcher concurrency: messages sent, seconds, messages per second, 429s the
server answered, and repeated messages (must be 0). `--apart` runs the fake Bot API in a
process of its own, so only the bot's own CPU counts; `--instances N` (PostgreSQL) sends from
N processes sharing the outbox, each with its share of the rates, as docs/deploy.md says.

`--scheduled` runs it as production does (issue 26): a coordinator publishes the call (the first
batch in their turn), and the scheduler, at its real intervals, does the rest: the background
queues the audience, the dispatcher sends. It prints when the first message went out, when every
row was queued, when the coordinator heard "Je oproep … is onderweg", and the rate from the first
message to the last. `--profile FILE` writes a cProfile of that run (snakeviz or pstats reads it).
The residents live in a city with a full programme (`benchmarks.programme`: 300 calls of which 120
open, sign-ups, ideas, last week's announcements, some held by the weekly cap); `--programme small`
leaves it out.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.bot_api import BotApiProcess
from benchmarks.city import settle
from benchmarks.programme import FULL, PROGRAMMES, Programme
from benchmarks.programme import add as add_programme
from bot.assembly import Assembly, assemble
from bot.config import Settings, load_settings
from bot.scheduler import Schedule
from handlers.calls import purposes
from handlers.calls import service as call_service
from storage.db import session_factory
from storage.models import Call, Identity, OutboxMessage, Person
from tests.auxil.builders import publish_call
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.people import add_residents

FIRST_ID = 10_000  # the residents' chat ids
COORDINATOR_CHAT = 9_001
TITLE = "📣 Bankjes bouwen"  # how the call's announcement begins


class TimedTelegram(FakeTelegram):
    """The fake Bot API, noting when each sendMessage arrived, per chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: list[tuple[float, int, str]] = []

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._sendMessage(params)
        self.arrived.append((time.perf_counter(), int(params["chat_id"]), params.get("text", "")))
        return message


async def scheduled(
    people: int,
    latency: float,
    concurrency: int,
    database_url: str | None,
    rate: float,
    broadcast_rate: float,
    enough: int | None = None,
    programme: Programme = FULL,
) -> dict[str, float]:
    """A coordinator publishes a call to `people`, in a city with `programme` going on; the scheduler
    at its real intervals does the rest (until `enough` messages went out, when given, and the
    coordinator heard)."""
    fake = TimedTelegram(rate_per_second=rate)
    fake.send_delay = latency
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = settings_for(fake, url, concurrency, rate, broadcast_rate)
        assembly = await assemble(settings)
        now = datetime.now(timezone.utc)
        await add_residents(assembly.engine, fake, people, now, first_id=FIRST_ID, quiet_start=0, quiet_end=0)
        await add_residents(assembly.engine, fake, 1, now, first_id=COORDINATOR_CHAT, level="strategic")
        await add_programme(assembly.engine, programme, people, now)
        async with session_factory(assembly.engine)() as session:
            coordinator = await session.scalar(
                select(Person).join(Identity).where(Identity.external_id == str(COORDINATOR_CHAT))
            )
        await settle(assembly.engine)
        application = assembly.channels["telegram"].application
        await application.initialize()
        schedule = Schedule(assembly.jobs, assembly.dispatcher, assembly.core.clock).start()
        await drained(assembly.engine, fake)  # the first rounds at start, and the programme's own backlog
        started = time.perf_counter()
        async with session_factory(assembly.engine)() as session, session.begin():  # the coordinator's turn
            call = broadcast_call(datetime.now(timezone.utc), coordinator)
            session.add(call)
            await session.flush()
            reach = await call_service.publish(session, settings, call, datetime.now(timezone.utc))
        turn = time.perf_counter() - started
        deadline = time.perf_counter() + 60 + 3 * people / broadcast_rate
        queued = float("nan")  # seconds from the publish until every row of the call was in the outbox
        while time.perf_counter() < deadline and (
            len({chat for _, chat in announcements(fake)}) < min(people, enough or people)
            or not any(chat == COORDINATOR_CHAT for _, chat, _ in fake.arrived)
        ):
            await asyncio.sleep(0.2)
            if queued != queued:  # not yet: count the call's rows
                async with session_factory(assembly.engine)() as session:
                    rows = await session.scalar(
                        select(func.count(OutboxMessage.id)).where(
                            OutboxMessage.purpose == purposes.CALL.name,
                            OutboxMessage.key.startswith(f"call:{call.id}:"),
                        )
                    )
                if rows == reach:
                    queued = time.perf_counter() - started
        await schedule.stop()
        await application.shutdown()
        await assembly.engine.dispose()
    await fake.stop()
    announced = announcements(fake)
    residents = [at for at, _chat in announced]
    told = [at for at, chat, text in fake.arrived if chat == COORDINATOR_CHAT and "onderweg" in text]
    counts = Counter(chat for _, chat in announced)
    coordinator = sum(chat == COORDINATOR_CHAT for _, chat, _ in fake.arrived)
    settled = [at for at in residents if at - started > queued] or residents[-2:]  # once all were queued
    return {
        "settled_per_second": (len(settled) - 1) / max(settled[-1] - settled[0], 1e-9),
        "reach": reach,
        "turn": turn,
        "first": residents[0] - started,
        "queued": queued,
        "told": told[0] - started if told else float("nan"),
        "sent": len(residents),
        "seconds": residents[-1] - residents[0],
        "per_second": (len(residents) - 1) / (residents[-1] - residents[0]),
        "429s": len(fake.refused(429)),
        "repeated": sum(n - 1 for n in counts.values()),
        "reached": len(counts),
        "coordinator": coordinator,
        "other": sum(at > started for at, _chat, _text in fake.arrived) - len(announced) - coordinator,
    }


def announcements(fake: TimedTelegram) -> list[tuple[float, int]]:
    """When the call's announcement reached which resident; the programme's own messages (feedback
    asked after past calls) share the rate but are not counted."""
    return [(at, chat) for at, chat, text in fake.arrived if chat != COORDINATOR_CHAT and text.startswith(TITLE)]


async def drained(engine, fake: TimedTelegram, quiet: float = 3, timeout: float = 120) -> None:
    """Wait until the dispatcher has sent nothing for `quiet` seconds and nothing due waits in the
    outbox, so the call's timings start from a quiet dispatcher."""
    deadline, seen, since = time.perf_counter() + timeout, len(fake.arrived), time.perf_counter()
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
        if len(fake.arrived) != seen:
            seen, since = len(fake.arrived), time.perf_counter()
            continue
        async with session_factory(engine)() as session:
            due = await session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.state == "pending", OutboxMessage.not_before <= datetime.now(timezone.utc)
                )
            )
        if not due and time.perf_counter() - since >= quiet:
            return


def broadcast_call(now: datetime, coordinator: Person) -> Call:
    answers = dict(
        title=TITLE.removeprefix("📣 "),
        description="Samen bouwen.",
        address="Groeningestraat 1",
        neighbourhood="heule",
        needs=["time"],
        starts_at=(now + timedelta(days=3)).isoformat(),
        ends_at=(now + timedelta(days=3, hours=3)).isoformat(),
    )
    return call_service.new_call(answers, coordinator, now)


async def run(
    people: int,
    latency: float,
    concurrency: int,
    database_url: str | None,
    rate: float = 30,
    broadcast_rate: float = 25,
    apart: bool = False,
    instances: int = 1,
) -> dict[str, float]:
    if apart or instances > 1:
        async with BotApiProcess(range(FIRST_ID, FIRST_ID + people), rate, latency) as api:
            figures = await dispatch(api, people, concurrency, database_url, rate, broadcast_rate, instances)
        counts, refused = api.sent, api.refused
    else:
        fake = FakeTelegram(rate_per_second=rate)
        fake.send_delay = latency
        await fake.start()
        figures = await dispatch(fake, people, concurrency, database_url, rate, broadcast_rate)
        await fake.stop()
        counts, refused = Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage")), len(fake.refused(429))
    return figures | {"429s": refused, "repeated": sum(n - 1 for n in counts.values()), "reached": len(counts)}


def settings_for(
    api: FakeTelegram | BotApiProcess, url: str, concurrency: int, rate: float, broadcast_rate: float
) -> Settings:
    return load_settings(
        telegram_token=api.token,
        telegram_base_url=api.url,
        database_url=url,
        outbox_concurrency=concurrency,
        telegram_rate=rate,
        telegram_broadcast_rate=broadcast_rate,
        _env_file=None,
    )


async def dispatch(
    api: FakeTelegram | BotApiProcess,
    people: int,
    concurrency: int,
    database_url: str | None,
    rate: float,
    broadcast_rate: float,
    instances: int = 1,
) -> dict[str, float]:
    """Queue a call to `people` residents and time the dispatcher sending it through the channel
    (with several `instances`, each a process of its own with its share of the rates)."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = settings_for(api, url, concurrency, rate, broadcast_rate)
        assembly = await assemble(settings)
        now = datetime.now(timezone.utc)
        fake = api if isinstance(api, FakeTelegram) else None  # the chats are the process's already
        await add_residents(assembly.engine, fake, people, now, first_id=FIRST_ID, quiet_start=0, quiet_end=0)
        await publish_call(assembly.engine, settings, now)
        await assembly.jobs.run_due(now)  # the rest of a big audience is queued in the background
        if instances > 1:
            await assembly.engine.dispose()
            share = settings_for(api, url, concurrency, rate / instances, broadcast_rate / instances)
            return await asyncio.to_thread(dispatch_apart, share, instances)
        application = assembly.channels["telegram"].application
        await application.initialize()
        sent, elapsed = await drain(assembly)
        await application.shutdown()
        await assembly.engine.dispose()
    return {"sent": sent, "seconds": elapsed, "per_second": sent / elapsed}


async def drain(assembly: Assembly) -> tuple[int, float]:
    """Send everything due through the (initialized) Telegram channel: how many, in how many seconds."""
    started = time.perf_counter()
    sent = await assembly.dispatcher.drain()
    return sent, time.perf_counter() - started


def dispatch_apart(settings: Settings, instances: int) -> dict[str, float]:
    """Several instances, a process each, draining one outbox together from the same moment."""
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    processes = [context.Process(target=instance, args=(settings, go, results)) for _ in range(instances)]
    for process in processes:
        process.start()
    ready = [results.get() for _ in processes]  # each assembled and connected
    assert ready == ["ready"] * instances, ready
    started = time.monotonic()
    go.set()
    done = [results.get() for _ in processes]
    for process in processes:
        process.join()
    sent, elapsed = sum(n for n, _ in done), max(at for _, at in done) - started
    return {"sent": sent, "seconds": elapsed, "per_second": sent / elapsed}


def instance(settings: Settings, go: Any, results: Any) -> None:
    """One instance's process: assemble, say ready, drain when told, report (sent, when done)."""

    async def main() -> None:
        assembly = await assemble(settings)
        application = assembly.channels["telegram"].application
        await application.initialize()
        results.put("ready")
        await asyncio.to_thread(go.wait)
        sent, _ = await drain(assembly)
        results.put((sent, time.monotonic()))
        await application.shutdown()
        await assembly.engine.dispose()

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per sendMessage at the server")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--rate", type=float, default=30, help="the server's limit and TELEGRAM_RATE (messages/s)")
    parser.add_argument("--broadcast-rate", type=float, default=25, help="TELEGRAM_BROADCAST_RATE (messages/s)")
    parser.add_argument(
        "--apart", action="store_true", help="the fake Bot API in a process of its own, its CPU not the bot's"
    )
    parser.add_argument(
        "--instances", type=int, default=1, help="dispatching processes sharing the rates (PostgreSQL; implies --apart)"
    )
    parser.add_argument(
        "--scheduled", action="store_true", help="published by a coordinator, sent by the scheduler (issue 26)"
    )
    parser.add_argument("--profile", help="with --scheduled: write a cProfile of the run to this file")
    parser.add_argument(
        "--programme",
        choices=PROGRAMMES,
        default="full",
        help="with --scheduled: the calls, sign-ups, ideas and last week's announcements around it",
    )
    parser.add_argument(
        "--enough", type=int, help="with --scheduled: stop once this many went out (and the coordinator heard)"
    )
    args = parser.parse_args()

    def common(concurrency: int) -> tuple:
        """What both kinds of run take first."""
        return args.people, args.latency, concurrency, args.database_url, args.rate, args.broadcast_rate

    if args.scheduled:
        for concurrency in args.concurrency:
            work = scheduled(*common(concurrency), args.enough, PROGRAMMES[args.programme])
            if args.profile:
                with cProfile.Profile() as profile:
                    figures = asyncio.run(work)
                profile.dump_stats(args.profile)
            else:
                figures = asyncio.run(work)
            print(
                f"concurrency {concurrency}: the coordinator's turn {figures['turn']:.2f} s (reach {figures['reach']:.0f}), "
                f"first message after {figures['first']:.2f} s, all rows queued after {figures['queued']:.1f} s, "
                f"the coordinator told after {figures['told']:.2f} s; {figures['sent']:.0f} sent in "
                f"{figures['seconds']:.1f} s ({figures['per_second']:.1f}/s, "
                f"{100 * figures['per_second'] / args.broadcast_rate:.0f}% of the broadcast rate; once all were "
                f"queued {figures['settled_per_second']:.1f}/s, "
                f"{100 * figures['settled_per_second'] / args.broadcast_rate:.0f}%), "
                f"{figures['429s']:.0f} answered 429, {figures['repeated']:.0f} repeated; "
                f"{figures['other']:.0f} other messages of the programme meanwhile (its backlog went out before)"
            )
        return
    print(
        f"broadcast to {args.people} people, {args.latency * 1000:.0f} ms per request, server limit {args.rate:g}/s, "
        f"broadcast rate {args.broadcast_rate:g}/s"
    )
    for concurrency in args.concurrency:
        figures = asyncio.run(run(*common(concurrency), args.apart, args.instances))
        print(
            f"concurrency {concurrency}: {figures['sent']} sent in {figures['seconds']:.1f} s "
            f"({figures['per_second']:.1f}/s, {100 * figures['per_second'] / args.broadcast_rate:.0f}% of the "
            f"broadcast rate), {figures['429s']} answered 429, {figures['repeated']} repeated"
        )


if __name__ == "__main__":
    main()
