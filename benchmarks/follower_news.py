"""A project's step told to its followers in the background (issue 24).

    python -m benchmarks.follower_news [--followers 20000] [--database-url URL]

Seeds the residents, an idea they all follow and its project with a fresh step, then times the
scheduled check that queues the step for every follower, batch after batch (the partner's turn
queues only the author and the people at its calls). Goal: < 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

from benchmarks.city import seed, timed
from bot.assembly import assemble
from bot.config import load_settings
from bot.scheduler import Jobs
from handlers.support import news_jobs
from storage.db import session_factory
from storage.models import Follow, Idea, Organisation, OutboxMessage, Project, ProjectUpdate


async def run(followers: int, database_url: str | None) -> int:
    now = datetime(2030, 3, 10, 10, 0, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(database_url=database_url or f"sqlite:///{Path(folder) / 'news.db'}", _env_file=None)
        assembly = await assemble(settings)
        engine = assembly.engine
        await timed(f"seed {followers} residents", lambda: seed(engine, followers, 0, now))
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            idea = Idea(
                author_id=1, problem="Grijs.", idea="Bankjes.", theme="heritage", place="heule", state="prototyping"
            )
            organisation = Organisation(name="Budascoop", created_at=now)
            session.add_all([idea, organisation])
            await session.flush()
            project = Project(idea_id=idea.id, organisation_id=organisation.id, phase="prototype", created_at=now)
            session.add(project)
            await session.flush()
            await session.execute(
                insert(Follow), [dict(idea_id=idea.id, person_id=n, at=now) for n in range(1, followers + 1)]
            )
            session.add(ProjectUpdate(project_id=project.id, phase="prototype", text="Vijf bankjes.", by="Pia", at=now))
        jobs = Jobs(sessions, settings, [news_jobs.tell_backers])
        await timed("queue the step for every follower (background)", lambda: jobs.run_due(now))
        async with sessions() as session:
            queued = await session.scalar(select(func.count(OutboxMessage.id))) or 0
        print(f"queued {queued}")
        await engine.dispose()
        return queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=20000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: an empty database)")
    args = parser.parse_args()
    asyncio.run(run(args.followers, args.database_url))


if __name__ == "__main__":
    main()
