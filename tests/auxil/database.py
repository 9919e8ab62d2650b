"""Test databases: per test a copy of a migrated template, a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get("GANGMAKER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _unreachable(error: Exception) -> None:
    message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {error!r}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


async def _administer(statement: str) -> None:
    """Run one statement outside a transaction (CREATE and DROP DATABASE need that)."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


async def migrated_postgres_template() -> str | Exception:
    """A database migrated to the newest revision once, for each test to be copied from
    (CREATE DATABASE ... TEMPLATE takes milliseconds, the migrations most of a second)."""
    name = f"gm_template_{uuid.uuid4().hex[:12]}"
    try:
        await _administer(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - whatever stops us reaching the server
        return error
    engine = create_engine(_database_url(name))
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return name


async def drop_postgres_database(name: str) -> None:
    await _administer(f'DROP DATABASE IF EXISTS "{name}"')


@asynccontextmanager
async def postgres_engine(template: str | Exception) -> AsyncIterator[AsyncEngine]:
    """An engine on a database of its own, a copy of the migrated template, dropped afterwards."""
    if isinstance(template, Exception):
        _unreachable(template)
    name = f"gm_test_{uuid.uuid4().hex[:12]}"
    await _administer(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    engine = create_engine(_database_url(name))
    try:
        yield engine
    finally:
        await engine.dispose()
        await drop_postgres_database(name)


async def migrated_sqlite_template(path: str) -> str:
    """A SQLite file migrated once, copied for each test."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return path


@asynccontextmanager
async def sqlite_engine(path: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        yield engine
    finally:
        await engine.dispose()


async def rows(engine: AsyncEngine, model: type, *where: object) -> list:
    """All rows of `model` (optionally filtered), read in a fresh session."""
    from sqlalchemy import select

    from storage.db import session_factory

    async with session_factory(engine)() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))
