"""Migrations: the newest revision builds exactly the schema the models describe, and goes down again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.migrate import downgrade, include_name
from storage.models import Base

pytestmark = pytest.mark.dialect  # the schema each database builds, and takes down


async def test_migrated_schema_matches_the_models(engine):
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_name": include_name}), Base.metadata
            )
        )
    assert differences == []


async def test_downgrade_to_nothing_removes_every_table(engine):
    await downgrade(engine, "base")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
