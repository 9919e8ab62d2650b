"""SQLite's one write lock, queued inside the process: a transaction's first write waits its turn in
asyncio, first come first served, instead of in SQLite's busy handler, whose sleeps grow to 100 ms
and let a writer that comes back every few milliseconds (the Monday overview's batches) win again
and again while a resident's turn sleeps (issue 26)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.util.concurrency import await_only, in_greenlet

log = logging.getLogger(__name__)

# pysqlite opens a transaction, and so takes SQLite's write lock, at the first of these statements;
# it is held until COMMIT or ROLLBACK.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WAIT = 5.0  # seconds, as `busy_timeout`: after that the write goes on to SQLite's own waiting
HOLDS = "gangmaker.holds_write_lock"  # the DBAPI connection's info: it holds its engine's queue


class WriteQueue:
    """The queue of one SQLite engine's writers in this process (one lock per event loop)."""

    def __init__(self) -> None:
        self._locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()
        self._holder: asyncio.Task[Any] | None = None

    def _lock(self) -> asyncio.Lock:
        return self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())

    def before_write(self, info: dict[str, Any]) -> None:
        """Wait, inside SQLAlchemy's greenlet, until this connection may take the write lock. A task
        that already holds it through another connection does not wait for itself: its write goes
        straight to SQLite, as it did before there was a queue."""
        if info.get(HOLDS) or not in_greenlet():
            return
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            return
        lock = self._lock()
        try:
            await_only(asyncio.wait_for(lock.acquire(), WAIT))
        except TimeoutError:
            log.warning("waited %.0f s for SQLite's write lock in the process; going on to SQLite's own wait", WAIT)
            return
        info[HOLDS] = lock
        self._holder = task

    def after_transaction(self, info: dict[str, Any]) -> None:
        """Give the lock to the next writer once the transaction ends (or its connection is reset)."""
        lock = info.pop(HOLDS, None)
        if lock is not None:
            self._holder = None
            lock.release()


def queue_writes(engine: Engine) -> WriteQueue:
    """Queue the writers of a SQLite engine in the process; returns the queue."""
    queue = WriteQueue()

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(WRITES):
            queue.before_write(conn.info)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn: Connection) -> None:
        queue.after_transaction(conn.info)

    @event.listens_for(engine.pool, "reset")
    def _reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        queue.after_transaction(connection_record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _invalidated(dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        queue.after_transaction(connection_record.info)

    return queue
