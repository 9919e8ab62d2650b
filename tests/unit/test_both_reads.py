"""`storage.db.both`: two reads at the same time on two connections, or one after the other where
the database has only one connection (in-memory SQLite)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import both, create_engine


async def test_two_reads_run_at_the_same_time_on_two_connections(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'both.db'}")
    second_started = asyncio.Event()

    async def first(session: AsyncSession) -> int:
        await asyncio.wait_for(second_started.wait(), timeout=10)  # one after the other never gets here
        return await session.scalar(text("SELECT 1"))

    async def second(session: AsyncSession) -> int:
        second_started.set()
        return await session.scalar(text("SELECT 2"))

    async with AsyncSession(engine) as session:
        assert await both(session, first, second) == (1, 2)
    await engine.dispose()


async def test_an_in_memory_database_reads_one_after_the_other():
    engine = create_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        await connection.execute(text("INSERT INTO t VALUES (7)"))
    async with AsyncSession(engine) as session:
        found = await both(
            session,
            lambda s: s.scalar(text("SELECT n FROM t")),
            lambda s: s.scalar(text("SELECT count(*) FROM t")),
        )
    assert found == (7, 1)
    await engine.dispose()
