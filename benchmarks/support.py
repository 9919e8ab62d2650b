"""Supporting and following at city scale: browsing, a support tap and a project's news to its followers.

    python -m benchmarks.support [--people 100000] [--ideas 5000] [--projects 500]
        [--supports 1000000] [--followers 20000] [--runs 200] [--database-url URL]

Seeds the residents (as `benchmarks.city` does), published ideas and projects, and the supports
straight into the database, spread unevenly (a few ideas draw most of them, as in life), with the
counters on each idea in step. Then times, `--runs` times each: a resident's browse (published
ideas and running projects, their neighbourhood and themes first, the most supported first, one
page), and a support tap (the row and the counter in one transaction). Then a phase change to a
project with `--followers` followers: one message per follower queued in batches, as a background
check would, after the partner's turn that makes the change (through the core, timed). Prints p50/p99 in milliseconds and the total. Goals (issue 24): browsing and a tap
p99 < 50 ms, the partner's turn < 1 s, the queueing < 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.city import MONDAY, settle, timed
from benchmarks.city import seed as seed_residents
from bot.assembly import assemble
from bot.config import Settings, load_settings
from bot.events import Inbound
from bot.replies import Action, Form
from bot.scheduler import Jobs
from handlers.common.domain import IdeaState, ProjectPhase
from handlers.common.options import NEIGHBOURHOODS, THEMES
from handlers.support import news_jobs
from handlers.support import service as backing
from handlers.support.service import browse as browsed
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Follow, Idea, Organisation, OutboxMessage, Person, Project, Support
from storage.repositories import Roles

BATCH = 10_000  # rows per INSERT while seeding
BROWSED = (IdeaState.PUBLISHED, IdeaState.ADOPTED, IdeaState.PROTOTYPING, IdeaState.TESTED)
RUNNING = (ProjectPhase.EXPLORE, ProjectPhase.PROTOTYPE, ProjectPhase.TEST)
STATE = {ProjectPhase.EXPLORE: IdeaState.ADOPTED, ProjectPhase.PROTOTYPE: IdeaState.PROTOTYPING}
STATE |= {ProjectPhase.TEST: IdeaState.TESTED}


def shares(ideas: int, supports: int, people: int) -> list[int]:
    """How many supports each idea has: a Zipf-like spread over the ideas (the first draws most),
    no idea more than there are people, adding up to `supports` (or to what fits)."""
    weights = [1 / (rank + 10) ** 1.1 for rank in range(ideas)]
    total = sum(weights)
    counts = [min(people, int(supports * weight / total)) for weight in weights]
    short, index = supports - sum(counts), 0
    while short > 0 and index < ideas:  # what rounding left, to the ideas with room
        extra = min(short, people - counts[index])
        counts[index] += extra
        short -= extra
        index += 1
    return counts


async def seed(
    engine: AsyncEngine, people: int, ideas: int, projects: int, supports: int, followers: int, now: datetime
) -> int:
    """Ideas (the first `projects` taken up, the most supported among them), their supports and
    one project's followers; returns that project's id."""
    themes, hoods = [o.value for o in THEMES], [o.value for o in NEIGHBOURHOODS]
    total = ideas + projects
    counts = shares(total, supports, people)
    order = list(range(total))
    random.Random(24).shuffle(order)  # projects and ideas among each other, by support
    async with session_factory(engine)() as session, session.begin():
        organisation = Organisation(name="Budascoop", created_at=now)
        session.add(organisation)
        await session.flush()
        rows = []
        for n in range(total):
            taken = order[n] < projects
            phase = (*RUNNING, ProjectPhase.REALISED)[n % 4] if taken else None
            state = IdeaState.PUBLISHED if phase is None else STATE.get(phase, IdeaState.REALISED)
            rows.append(
                dict(
                    id=n + 1,
                    problem="Te weinig groen in de straat.",
                    idea=f"Idee nummer {n + 1}: bloembakken aan elke gevel.",
                    theme=themes[n % len(themes)],
                    place=hoods[(n // 3) % len(hoods)],
                    will_help=False,
                    state=state,
                    supporters=counts[n],
                    followers=followers if n == 0 else 0,
                    created_at=now,
                    updated_at=now,
                )
            )
        for start in range(0, total, BATCH):
            await session.execute(insert(Idea), rows[start : start + BATCH])
        # The first idea is a project in every case: the one whose followers hear its news.
        taken = [row for n, row in enumerate(rows) if order[n] < projects or n == 0]
        await session.execute(
            insert(Project),
            [
                dict(
                    idea_id=row["id"],
                    organisation_id=organisation.id,
                    phase=ProjectPhase.EXPLORE if n == 0 else RUNNING[n % 3],
                    created_at=now,
                    updated_at=now,
                )
                for n, row in enumerate(taken)
            ],
        )
        if engine.dialect.name == "postgresql":
            await session.execute(select(func.setval(func.pg_get_serial_sequence("idea", "id"), total)))
        news = await session.scalar(select(Project.id).where(Project.idea_id == 1))
        await session.execute(update(Idea).where(Idea.id == 1).values(state=IdeaState.ADOPTED))  # it explores
        batch: list[dict[str, Any]] = []
        for n, count in enumerate(counts):
            first = (n * 7919) % people  # each idea's supporters: a run of people, from its own place
            for k in range(count):
                batch.append(dict(idea_id=n + 1, person_id=1 + (first + k) % people, at=now))
                if len(batch) == BATCH:
                    await session.execute(insert(Support), batch)
                    batch = []
        if batch:
            await session.execute(insert(Support), batch)
        for start in range(0, followers, BATCH):
            await session.execute(
                insert(Follow),
                [dict(idea_id=1, person_id=1 + k, at=now) for k in range(start, min(start + BATCH, followers))],
            )
    await settle(engine)
    assert news is not None
    return news


def percentiles(label: str, seconds: list[float]) -> dict[str, float]:
    ms = sorted(1000 * s for s in seconds)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{label:<44} p50 {statistics.median(ms):7.1f} ms   p99 {p99:7.1f} ms   ({len(ms)} runs)")
    return {"p50": statistics.median(ms), "p99": p99}


async def run(
    people: int,
    ideas: int,
    projects: int,
    supports: int,
    followers: int,
    database_url: str | None,
    runs: int = 200,
) -> dict[str, Any]:
    settings = load_settings(database_url="sqlite://", _env_file=None)
    now = MONDAY
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(database_url or f"sqlite+aiosqlite:///{Path(folder) / 'support.db'}")
        await upgrade(engine)
        await timed(f"seed {people} residents", lambda: seed_residents(engine, people, 0, now))
        news = await timed(
            f"seed {ideas} ideas, {projects} projects, {supports} supports",
            lambda: seed(engine, people, ideas, projects, supports, followers, now),
        )
        sessions = session_factory(engine)
        pick = random.Random(2030)
        figures: dict[str, Any] = {}

        browse: list[float] = []
        for n in range(runs):
            async with sessions() as session:
                person = await session.get(Person, pick.randint(1, people))
                assert person is not None
                started = time.perf_counter()
                found = await browsed(session, person, projects=n % 2 == 1, offset=3 * (n % 3), limit=3)
                browse.append(time.perf_counter() - started)
                assert found
        figures["browse"] = percentiles("browse one page (near, themes, support)", browse)

        taps: list[float] = []
        figures["taps added"] = 0
        for _ in range(runs):
            idea_id, person_id = pick.randint(1, ideas + projects), pick.randint(1, people)
            started = time.perf_counter()
            async with sessions() as session, session.begin():  # what the tap does: check, then back it
                idea, person = await session.get(Idea, idea_id), await session.get(Person, person_id)
                if person is not None and idea is not None and await backing.open_to_backing(session, idea):
                    figures["taps added"] += await backing.add(session, "support", idea, person, now)
            taps.append(time.perf_counter() - started)
        figures["tap"] = percentiles("support tap (row and counter)", taps)

        figures["partner's turn"] = await partner_steps(engine, settings, news, now)
        background = Jobs(sessions, settings, [news_jobs.tell_backers])
        started = time.perf_counter()
        await timed(f"phase change: news to {followers} followers, in the background", lambda: background.run_due(now))
        figures["queueing seconds"] = time.perf_counter() - started
        async with sessions() as session:
            figures["queued"] = await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.purpose == news_jobs.FOLLOWER_NEWS.name)
            )
        async with sessions() as session:
            figures["supports"] = await session.scalar(select(func.count(Support.id)))
            figures["counted"] = await session.scalar(select(func.sum(Idea.supporters)))
            figures["outbox rows"] = await session.scalar(select(func.count(OutboxMessage.id)))
        await engine.dispose()
    return figures


async def partner_steps(engine: AsyncEngine, settings: Settings, project_id: int, now: datetime) -> float:
    """A partner in Slack moves the project to prototype through the core, as in the chat: the tap
    that opens the update form, then its submission, which is timed; seconds."""
    assembly = await assemble(settings, engine=engine, clock=lambda: now)
    async with assembly.core.sessions() as session, session.begin():
        organisation = await session.scalar(select(Organisation))
        assert organisation is not None
        await Roles(session).grant("slack", "UPIA", "partner", by="bench", now=now, organisation=organisation)
    replies = await assembly.core.handle(
        Inbound(channel="slack", user_id="UPIA", kind="tap", action=Action.of("proj", "next", project_id))
    )
    form = next(reply for reply in replies if isinstance(reply, Form))
    text = {"text": "Vijf bankjes staan een week bij de brug."}
    submitted = Inbound(channel="slack", user_id="UPIA", kind="submit", action=form.submit, values=form.hidden | text)
    started = time.perf_counter()
    replies = await assembly.core.handle(submitted)
    seconds = time.perf_counter() - started
    assert any("Bijgewerkt" in getattr(reply, "text", "") for reply in replies), replies
    print(f"the partner's turn (the phase change, through the core): {seconds * 1000:.0f} ms")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--ideas", type=int, default=5000)
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--supports", type=int, default=1_000_000)
    parser.add_argument("--followers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file (PostgreSQL: an empty database, "
        "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench)",
    )
    args = parser.parse_args()
    asyncio.run(
        run(args.people, args.ideas, args.projects, args.supports, args.followers, args.database_url, args.runs)
    )


if __name__ == "__main__":
    main()
