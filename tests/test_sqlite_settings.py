"""SQLite as Gangmaker opens it: WAL, and commits that do not wait for the disk (synchronous NORMAL)."""

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
