"""The databases as Gangmaker opens them: a commit does not wait for the disk (SQLite in WAL mode
with synchronous NORMAL, PostgreSQL with synchronous_commit off), and stays consistent."""

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


async def test_a_postgresql_commit_does_not_wait_for_the_disk(engine):
    if engine.dialect.name != "postgresql":
        return  # the SQLite case is above
    opened = create_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        async with opened.connect() as connection:
            setting = (await connection.exec_driver_sql("SHOW synchronous_commit")).scalar()
    finally:
        await opened.dispose()
    assert setting == "off"
