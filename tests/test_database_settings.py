"""The databases as Gangmaker opens them: a SQLite commit does not wait for the disk (WAL mode with
synchronous NORMAL, durable against a crash of the process); a PostgreSQL commit does, unless the
operator chose DATABASE_FAST_COMMIT (synchronous_commit off)."""

import pytest

from storage.db import create_engine


async def test_a_sqlite_commit_does_not_wait_for_the_disk_and_stays_consistent(tmp_path):
    opened = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
    try:
        async with opened.connect() as connection:
            journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            synchronous = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar()
    finally:
        await opened.dispose()
    assert (journal, synchronous) == ("wal", 1)  # 1 is NORMAL: durable against a crash of the process


@pytest.mark.parametrize("fast_commit", [False, True])
async def test_a_postgresql_commit_waits_for_the_disk_unless_the_operator_chose_otherwise(engine, fast_commit):
    if engine.dialect.name != "postgresql":
        return  # the SQLite case is above
    url = engine.url.render_as_string(hide_password=False)
    opened = create_engine(url, pool_size=1, fast_commit=fast_commit)
    try:
        async with opened.connect() as connection:
            setting = (await connection.exec_driver_sql("SHOW synchronous_commit")).scalar()
    finally:
        await opened.dispose()
    assert setting == ("off" if fast_commit else "on")
