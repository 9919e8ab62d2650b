"""Test databases: a SQLite file per test, and a fresh schema per test on PostgreSQL."""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

POSTGRES_URL = os.environ.get(
    "GANGMAKER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@asynccontextmanager
async def postgres_engine() -> AsyncIterator[AsyncEngine]:
    """An engine whose search_path is a schema of its own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - whatever stops us reaching the server
        await admin.dispose()
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {error!r}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    engine = create_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


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
