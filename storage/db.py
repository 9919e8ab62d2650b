"""The database connection: an async engine and session factory for SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Any, TypeGuard, cast

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql import Executable


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the scheduler read while a dialogue writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Erased rows are overwritten with zeros, whatever this SQLite build's default.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(url: str, *, pool_size: int | None = None, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite files get WAL mode, enforced foreign keys and secure delete.
    Pooled connections are tested before use, so a connection the server dropped is replaced, not used.
    On PostgreSQL `pool_size` connections stay open and up to twice as many more open under load."""
    backend = make_url(url).get_backend_name()
    if pool_size is not None and backend == "postgresql":
        kwargs |= dict(pool_size=pool_size, max_overflow=2 * pool_size)
    engine = create_async_engine(url, pool_pre_ping=True, **kwargs)
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


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
