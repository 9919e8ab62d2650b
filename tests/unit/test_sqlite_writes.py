"""On SQLite a background batch gives way to the writes under way (a resident's turn), not the other
way round; on PostgreSQL it never waits."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.db import create_engine
from storage.sqlite_writes import give_way


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


async def test_a_batch_waits_while_a_turn_writes_and_goes_once_it_committed(engine):
    hold = asyncio.Event()
    turn = asyncio.create_task(write(engine, "turn", hold))
    await asyncio.sleep(0.05)  # the turn is inside its write transaction
    batch = asyncio.create_task(give_way(engine, longest=60))
    await asyncio.sleep(0.1)
    assert not batch.done(), "the batch would take the write lock from under the turn"
    hold.set()
    await turn
    await asyncio.wait_for(batch, timeout=10)


async def test_a_failed_write_does_not_hold_up_the_batch(engine):
    with pytest.raises(Exception, match="no such table"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO missing (who) VALUES ('x')"))
    assert not await give_way(engine, longest=1)


async def test_a_batch_does_not_wait_for_its_own_task_or_for_reads(engine):
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO written (who) VALUES ('own')"))
        assert not await give_way(engine, longest=1)
    async with engine.connect() as reading:
        await reading.execute(text("SELECT * FROM written"))
        reader = asyncio.create_task(asyncio.sleep(0.05))  # another task, reading only
        assert not await give_way(engine, longest=1)
        await reader


async def test_a_batch_gives_way_at_most_for_its_longest(engine):
    hold = asyncio.Event()
    turn = asyncio.create_task(write(engine, "turn", hold))
    await asyncio.sleep(0.05)
    assert await give_way(engine, longest=0.05)  # the turn is still writing: it waited, then went on
    hold.set()
    await turn


async def test_on_postgresql_a_batch_never_waits():
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")  # never connected
    assert not await give_way(engine, longest=1)
    await engine.dispose()
