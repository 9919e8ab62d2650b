"""Indexes for counting an audience: whether a person has a chat that takes messages, and who can be
reached at all, each read from the index alone (the coordinator's preview at 100,000 residents).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_identity_reachable", "identity", ["person_id", "reachable"], unique=False)
    op.create_index("ix_person_audience", "person", ["onboarded_at", "blocked_at", "level"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_audience", table_name="person")
    op.drop_index("ix_identity_reachable", table_name="identity")
