"""Relays: a conversation between an idea's author and the partner who took it up, through the bot.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("adopted_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_project_adopted_by_person"), "person", ["adopted_by"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "relay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_relay_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_relay_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay")),
        sa.UniqueConstraint("project_id", "person_id", name=op.f("uq_relay_project_id")),
    )


def downgrade() -> None:
    op.drop_table("relay")
    with op.batch_alter_table("project") as batch:
        batch.drop_constraint(batch.f("fk_project_adopted_by_person"), type_="foreignkey")
        batch.drop_column("adopted_by")
