"""City scale: targeting, publishing and the Monday overview with 100,000 residents.

    python -m benchmarks.city [--people 100000] [--offers 15000] [--programme full|small] [--database-url URL]

Seeds the residents (varied neighbourhoods, themes, kinds of contribution, languages) and
offers straight into the database, with the full programme of a Capital of Culture year
(`benchmarks.programme`: 300 calls, about 120 open, 8,000 sign-ups, 5,000 ideas, last week's
announcements; `--programme small` leaves it out for quick runs), then times: the audience of a targeted and of an
untargeted call (what the coordinator's summary and publishing count), publishing a call
(the coordinator's turn, then the rest of the audience in background batches), and the Monday overview for everyone. Prints seconds per step,
rows queued and the peak memory of the process. Goals (issue 11): audience < 0.1 s,
overview < 10 s, peak memory < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text

from benchmarks.programme import PROGRAMMES, SMALL, Programme, level, wants_digest
from benchmarks.programme import seed as seed_programme
from bot.config import load_settings
from bot.scheduler import Jobs
from handlers.calls import jobs
from handlers.calls import service as call_service
from handlers.common.options import CONTRIBUTIONS, NEIGHBOURHOODS, THEMES
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Call, Identity, Offer, OutboxMessage, Person

BATCH = 5000
MONDAY = datetime(2027, 3, 8, 9, 30, tzinfo=timezone.utc)  # 10:30 in Kortrijk: the overview is due


def _resident(n: int, now: datetime, programme: Programme = SMALL) -> dict:
    themes, hoods, kinds = (
        [o.value for o in THEMES],
        [o.value for o in NEIGHBOURHOODS],
        [o.value for o in CONTRIBUTIONS],
    )
    return dict(
        id=n,
        display_name=f"Inwoner {n}",
        locale=("nl", "nl", "nl", "en", "fr")[n % 5],
        neighbourhood=hoods[n % len(hoods)],
        role="resident",
        interests=[themes[n % len(themes)], themes[(n // 7) % len(themes)]],
        contributions=[kinds[n % len(kinds)]],
        level=level(n, programme),
        digest=n % 3 == 0 if programme is SMALL else wants_digest(n, programme),
        paused=False,
        quiet_start=0,
        quiet_end=0,
        consent_at=now,
        consent_version="2026-11",
        onboarded_at=now,
        created_at=now,
        last_active_at=now,
    )


async def seed(
    engine, people: int, offers: int, now: datetime, channel: str = "telegram", programme: Programme = SMALL
) -> None:
    async with session_factory(engine)() as session, session.begin():
        for start in range(1, people + 1, BATCH):
            ids = range(start, min(start + BATCH, people + 1))
            await session.execute(insert(Person), [_resident(n, now, programme) for n in ids])
            await session.execute(
                insert(Identity),
                [dict(person_id=n, channel=channel, external_id=str(n), reachable=True, created_at=now) for n in ids],
            )
        if offers:
            await session.execute(
                insert(Offer),
                [
                    dict(
                        person_id=1 + (n * 5) % people,
                        kind="time" if programme is SMALL else ("time", "time", "expertise", "gift")[n % 4],
                        state="open",
                        details={"hours": 1 + n % 20, "moments": ["weekend"], "tags": [THEMES[n % len(THEMES)].value]},
                        created_at=now,
                        updated_at=now,
                    )
                    for n in range(offers)
                ],
            )
        await seed_programme(session, programme, people, now)
        if engine.dialect.name == "postgresql" and people:  # the ids were given: people added later come after them
            await session.execute(
                text("SELECT setval(pg_get_serial_sequence('person', 'id'), :last)"), {"last": people}
            )
    await settle(engine)


async def settle(engine) -> None:
    """Fresh statistics and, on PostgreSQL, vacuumed tables, as autovacuum keeps them in production
    (else it starts on the rows just written in the middle of a timing)."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            await connection.exec_driver_sql("ANALYZE")
            await connection.commit()


def call(now: datetime, **targeting) -> Call:
    answers = (
        dict(
            title="Bankjes bouwen",
            description="Samen bouwen.",
            address="Groeningestraat 1",
            neighbourhood="heule",
            needs=["time"],
            starts_at=(now + timedelta(days=3)).isoformat(),
            ends_at=(now + timedelta(days=3, hours=3)).isoformat(),
        )
        | targeting
    )
    return call_service.new_call(answers, None, now)


async def timed(label: str, work) -> object:
    started = time.perf_counter()
    result = await work()
    print(f"{label:<44} {time.perf_counter() - started:8.2f} s   {result}")
    return result


async def run(people: int, offers: int, database_url: str | None, programme: Programme = SMALL) -> dict[str, int]:
    settings = load_settings(database_url="sqlite://", _env_file=None)
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(database_url or f"sqlite+aiosqlite:///{Path(folder) / 'city.db'}")
        await upgrade(engine)
        now = MONDAY
        await timed(
            f"seed {people} residents, {offers} offers, {programme.calls} calls",
            lambda: seed(engine, people, offers, now, programme=programme),
        )
        sessions = session_factory(engine)
        targeted = call(now, themes=["heritage"], target_neighbourhoods=["heule", "marke"])
        everyone = call(now)

        async def audience(of: Call) -> int:
            async with sessions() as session:
                return await call_service.audience_size(session, of)

        figures = {
            "audience targeted": await timed("audience, targeted call", lambda: audience(targeted)),
            "audience everyone": await timed("audience, call for everyone", lambda: audience(everyone)),
        }

        async def publish(of: Call) -> int:
            async with sessions() as session, session.begin():
                session.add(of)
                await session.flush()
                return await call_service.publish(session, settings, of, now)

        await timed("publish targeted call: the coordinator's turn", lambda: publish(targeted))
        jobs_ = Jobs(sessions, settings, [jobs.announce_calls])

        async def rest() -> int:
            return (await jobs_.run_due(now))["announce_calls"]

        await timed("  the rest of its audience, in the background", rest)
        await timed("publish call for everyone: the coordinator's turn", lambda: publish(everyone))
        await timed("  the rest of its audience, in the background", rest)

        async def digest() -> int:
            return (await Jobs(sessions, settings, [jobs.digest]).run_due(now))["digest"]

        figures["overview"] = await timed("Monday overview for everyone", digest)
        async with sessions() as session:
            rows = await session.scalar(select(func.count(OutboxMessage.id)))
            for name, of in (("targeted", targeted), ("everyone", everyone)):
                figures[f"queued {name}"] = await session.scalar(
                    select(func.count(OutboxMessage.id)).where(OutboxMessage.key.like(f"call:{of.id}:person:%"))
                )
        print(f"outbox rows: {rows}")
        figures["outbox rows"] = rows
        await engine.dispose()
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=15_000, help="with the programme's 5,000 ideas: 20,000")
    parser.add_argument("--programme", choices=PROGRAMMES, default="full")
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file (PostgreSQL: an empty database, "
        "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.people, args.offers, args.database_url, PROGRAMMES[args.programme]))


if __name__ == "__main__":
    main()
