"""The buttons of the last message each chat got, so that a typed answer ("ja", "ik doe mee")
works as the tap it names, also after a restart.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("identity", sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("identity", "buttons")
