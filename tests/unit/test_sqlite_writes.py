"""SQLite's writers queue in the process: who asked for the write lock first gets it first."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.db import create_engine


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'writes.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE written (id INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT)"))
    yield engine
    await engine.dispose()


async def write(engine, who: str, hold: asyncio.Event | None = None) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO written (who) VALUES (:who)"), {"who": who})
        if hold is not None:
            await hold.wait()


async def test_a_writer_that_waited_long_goes_before_one_that_came_later(engine):
    """A resident's turn that has waited behind a long write is not overtaken by a writer arriving
    just before that write ends (the overview's next batch). In SQLite's busy handler it would be:
    the earlier writer sleeps in steps grown to 50-100 ms, the later one retries within a few ms."""
    hold = asyncio.Event()
    holding = asyncio.create_task(write(engine, "overview batch 1", hold))
    await asyncio.sleep(0.05)
    turn = asyncio.create_task(write(engine, "turn"))
    await asyncio.sleep(0.25)
    later = asyncio.create_task(write(engine, "overview batch 2"))
    await asyncio.sleep(0.04)
    hold.set()
    await asyncio.gather(holding, turn, later)
    async with engine.connect() as connection:
        order = (await connection.execute(text("SELECT who FROM written ORDER BY id"))).scalars().all()
    assert order == ["overview batch 1", "turn", "overview batch 2"]


async def test_a_task_writing_through_two_connections_does_not_wait_for_itself(engine):
    """A task that holds the write lock on one connection and writes on another goes straight to
    SQLite (which says the file is locked), rather than waiting in the queue for itself."""
    async with engine.begin() as first:
        await first.execute(text("INSERT INTO written (who) VALUES ('first')"))
        async with engine.connect() as second:
            await second.execute(text("PRAGMA busy_timeout=10"))
            with pytest.raises(Exception, match="locked"):
                await second.execute(text("INSERT INTO written (who) VALUES ('second')"))
            await second.rollback()


async def test_the_lock_is_given_back_when_a_write_fails(engine):
    with pytest.raises(Exception, match="no such table"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO missing (who) VALUES ('x')"))
    await asyncio.wait_for(write(engine, "after"), timeout=2)
