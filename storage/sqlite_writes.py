"""On SQLite, background batches give way to turns that write: SQLite has one write lock, and its busy
handler lets a waiting writer sleep in steps that grow to 100 ms, so a batch writer coming back every
few milliseconds (the Monday overview) won the lock again and again while a resident's turn slept
(issue 26). The engine counts its connections that are inside a write transaction; a batch waits
until none is (`give_way`) before it writes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

# pysqlite opens a transaction, and so asks for SQLite's write lock, at the first of these statements;
# it is held until COMMIT or ROLLBACK.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WRITING = "gangmaker.writing"  # the DBAPI connection's info: it is inside a write transaction
LOOK = 0.002  # seconds between looks while a batch waits for the writers to finish
LONGEST = 0.5  # seconds a batch gives way at most, so a busy hour never stops it


class Writers:
    """Which tasks of this process have a connection of one SQLite engine inside a write transaction."""

    def __init__(self) -> None:
        self.by_task: Counter[asyncio.Task[Any] | None] = Counter()

    def began(self, info: dict[str, Any]) -> None:
        if WRITING not in info:
            info[WRITING] = task = _current_task()
            self.by_task[task] += 1

    def ended(self, info: dict[str, Any]) -> None:
        if WRITING in info:
            task = info.pop(WRITING)
            self.by_task[task] -= 1
            if self.by_task[task] <= 0:
                del self.by_task[task]

    def others(self) -> bool:
        """Whether a task other than the current one is writing (a task that ended is not: what it
        left open was given back to the pool, or its connection closed)."""
        task = _current_task()
        for ended in [writer for writer in self.by_task if writer is not None and writer.done()]:
            del self.by_task[ended]
        return any(writer is not task for writer in self.by_task)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop: a synchronous connection (migrations)
        return None


_WRITERS: WeakKeyDictionary[Engine, Writers] = WeakKeyDictionary()


def count_writers(engine: Engine) -> Writers:
    """Count the writers of a SQLite engine, from their first write until COMMIT or ROLLBACK (also the
    one when a connection is closed with its transaction open). Not on the pool's own events: a
    listener there slowed every return to the pool (answers at 100/s: p99 20-68 ms became 1.3-1.6 s)."""
    writers = _WRITERS.setdefault(engine, Writers())

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(WRITES):
            writers.began(conn.info)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn: Connection) -> None:
        writers.ended(conn.info)

    return writers


async def give_way(engine: AsyncEngine | Engine, longest: float = LONGEST) -> bool:
    """Before a batch writes: wait until no other task has a write transaction open on this SQLite
    database (at most `longest` seconds); at once on PostgreSQL, whose rows lock one by one.
    Returns whether it waited."""
    writers = _WRITERS.get(engine.sync_engine if isinstance(engine, AsyncEngine) else engine)
    until, waited = time.monotonic() + longest, False
    while writers is not None and writers.others() and time.monotonic() < until:
        waited = True
        await asyncio.sleep(LOOK)
    return waited
