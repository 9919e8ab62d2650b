"""Faults on demand: a database that fails statements or drops its connections, for the fault tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.auxil.database import POSTGRES_URL, create_engine


@contextmanager
def failing(
    engine: AsyncEngine, statements: int = 10**9, only: str = "", chance: float = 1.0, seed: int = 2030
) -> Iterator[list[str]]:
    """The next `statements` SQL statements (those containing `only`; with `chance`, each with that
    chance, drawn from a seeded generator) fail with the driver's OperationalError, as a locked
    SQLite file or an unreachable server does; yields those statements."""
    failed: list[str] = []
    draw = random.Random(seed).random

    def fail(connection, _cursor, statement, _parameters, _context, _many) -> None:
        if only not in statement:
            return
        if len(failed) < statements and draw() < chance:
            failed.append(statement)
            raise connection.dialect.loaded_dbapi.OperationalError("database is locked")

    event.listen(engine.sync_engine, "before_cursor_execute", fail)
    try:
        yield failed
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", fail)


async def drop_connections(engine: AsyncEngine) -> int:
    """Terminate every server connection of this PostgreSQL database, as a restart or a failover
    does; returns how many there were."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            result = await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": engine.url.database},
            )
            return len(result.all())
    finally:
        await admin.dispose()
