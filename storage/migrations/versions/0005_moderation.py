"""Moderation: who judged an idea and why, blocked people, and outbox messages to a shared room.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idea") as batch:
        batch.add_column(sa.Column("moderated_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("moderated_at", storage.models.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("moderation_note", sa.Text(), nullable=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("blocked_at", storage.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("room", sa.String(length=32), nullable=True))
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE person_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("room")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("blocked_at")
    with op.batch_alter_table("idea") as batch:
        batch.drop_column("moderation_note")
        batch.drop_column("moderated_at")
        batch.drop_column("moderated_by")
