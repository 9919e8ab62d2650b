"""Calls for a project: which project a call serves, and who approved a partner's call.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_call_project_id_project"), "project", ["project_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.drop_constraint(batch.f("fk_call_project_id_project"), type_="foreignkey")
        batch.drop_column("approved_by")
        batch.drop_column("project_id")
