"""The database connection: an async engine and session factory for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from storage.sqlite_writes import count_writers

A = TypeVar("A")
B = TypeVar("B")
RINGS = "gangmaker.rings"  # Session.info: what to wake once the transaction commits


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the scheduler read while a dialogue writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode a commit need not wait for the disk (fsync): a transaction committed survives the
    # process crashing, only the last few may be lost if the machine itself loses power, and the file
    # stays consistent. With the default (FULL) every write waited 2-13 ms for the disk while holding
    # the one write lock, so every turn that writes queued behind every other write (issue 26).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Erased rows are overwritten with zeros, whatever this SQLite build's default.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(url: str, *, pool_size: int | None = None, fast_commit: bool = False, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite files get WAL mode, enforced foreign keys, secure delete and
    their writers counted, so background batches can give way to turns (`storage.sqlite_writes`).
    Pooled connections are tested before use, so a connection the server dropped is replaced, not used.
    On PostgreSQL `pool_size` connections stay open and up to twice as many more open under load;
    `fast_commit` lets a COMMIT return before the write-ahead log reached the disk."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if pool_size is not None and backend == "postgresql":
        kwargs |= dict(pool_size=pool_size, max_overflow=2 * pool_size)
    if fast_commit and parsed.get_driver_name() == "asyncpg":
        # synchronous_commit off: nothing is ever inconsistent, but what was committed in the last
        # moment (at most three times wal_writer_delay, 0.6 s) is lost if the server itself crashes:
        # an answer already acknowledged, or a message sent and then sent again. So it is the
        # operator's choice (DATABASE_FAST_COMMIT), off by default. On a busy disk a COMMIT waited
        # 80-150 ms for it with its pooled connection held (issue 23: answers at 100/s).
        server = kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})
        server.setdefault("synchronous_commit", "off")
    engine = create_async_engine(url, pool_pre_ping=True, **kwargs)
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        count_writers(engine.sync_engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def both(
    session: AsyncSession,
    first: Callable[[AsyncSession], Awaitable[A]],
    second: Callable[[AsyncSession], Awaitable[B]],
) -> tuple[A, B]:
    """Two reads at the same time, each on a connection of its own: `first` on `session`, `second`
    on a short session of its own (SQLite runs a query outside Python's lock, PostgreSQL in a server
    process of its own). An in-memory SQLite database has one connection: one after the other."""
    engine = session.bind
    if not isinstance(engine, AsyncEngine) or engine.url.database in (None, "", ":memory:"):
        return await first(session), await second(session)

    async def beside() -> B:
        async with AsyncSession(engine) as other:
            return await second(other)

    found_first, found_second = await asyncio.gather(first(session), beside())
    return found_first, found_second


def dialect_name(session: AsyncSession) -> str:
    """The kind of database a session talks to ("postgresql", "sqlite"), for SQL that differs."""
    return session.get_bind().dialect.name


async def rows_changed(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE or DELETE and count the rows it touched."""
    # SQLAlchemy types `execute` as a plain Result; for these statements it is a CursorResult.
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount


def transient(error: BaseException) -> TypeGuard[DBAPIError]:
    """Whether a database error may pass by itself: a dropped connection, a locked SQLite file."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


class Doorbell:
    """Background work waiting on a database (the outbox dispatcher, the scheduled checks), woken by
    name as soon as a transaction that left it work commits, rather than at its next interval."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def event(self, name: str) -> asyncio.Event:
        """What `name`'s work waits on: set when rung, cleared by whoever takes the work."""
        return self._events.setdefault(name, asyncio.Event())

    def ring(self, *names: str) -> None:
        for name in names:
            self.event(name).set()


_DOORBELLS: WeakKeyDictionary[Engine, Doorbell] = WeakKeyDictionary()


def doorbell(engine: AsyncEngine | Engine) -> Doorbell:
    """The one doorbell of a database's engine in this process."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    return _DOORBELLS.setdefault(sync, Doorbell())


def ring_after_commit(session: AsyncSession | Session, name: str) -> None:
    """Wake `name`'s background work once this session's transaction commits (never when it rolls back)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(RINGS, set()).add(name)


@event.listens_for(Session, "after_commit")
def _ring(session: Session) -> None:
    names = session.info.pop(RINGS, None)
    bind = session.bind
    if names and isinstance(bind, (Engine, Connection)):
        doorbell(bind.engine).ring(*names)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(RINGS, None)
