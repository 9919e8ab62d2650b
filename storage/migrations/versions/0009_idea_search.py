"""Search over ideas, to show coordinators similar earlier ones: PostgreSQL's Dutch text search
(an expression index), or SQLite's FTS5 kept in step by triggers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_idea_search ON idea USING gin (to_tsvector('dutch'::regconfig, problem || ' ' || idea))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE idea_search USING fts5(problem, idea, content='idea', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO idea_search(rowid, problem, idea) SELECT id, problem, idea FROM idea")
    op.execute(
        "CREATE TRIGGER idea_search_insert AFTER INSERT ON idea BEGIN "
        "INSERT INTO idea_search(rowid, problem, idea) VALUES (new.id, new.problem, new.idea); END"
    )
    op.execute(
        "CREATE TRIGGER idea_search_delete AFTER DELETE ON idea BEGIN "
        "INSERT INTO idea_search(idea_search, rowid, problem, idea) "
        "VALUES ('delete', old.id, old.problem, old.idea); END"
    )
    op.execute(
        "CREATE TRIGGER idea_search_update AFTER UPDATE OF problem, idea ON idea BEGIN "
        "INSERT INTO idea_search(idea_search, rowid, problem, idea) "
        "VALUES ('delete', old.id, old.problem, old.idea); "
        "INSERT INTO idea_search(rowid, problem, idea) VALUES (new.id, new.problem, new.idea); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_idea_search")
        return
    for trigger in ("idea_search_insert", "idea_search_delete", "idea_search_update"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE idea_search")
