"""A call is announced batch by batch: where the batches are, and when they were done; an index
for targeting by theme and kind of contribution on PostgreSQL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("announced_to", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("announced_at", storage.models.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE call SET announced_at = published_at WHERE published_at IS NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_person_interests ON person USING gin ((CAST(interests AS JSONB)))")
        op.execute("CREATE INDEX ix_person_contributions ON person USING gin ((CAST(contributions AS JSONB)))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_person_contributions")
        op.execute("DROP INDEX ix_person_interests")
    with op.batch_alter_table("call") as batch:
        batch.drop_column("announced_at")
        batch.drop_column("announced_to")
