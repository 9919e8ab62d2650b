"""Supporting and following ideas (and the projects they became): who backs and who follows what,
the counts on each idea, whether its author's name may show, and whether an author hears of backing.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _table(name: str) -> None:
    """`support` and `follow` have the same shape: one person, one idea, once."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"], name=op.f(f"fk_{name}_idea_id_idea"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f(f"fk_{name}_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("idea_id", "person_id", name=op.f(f"uq_{name}_idea_id")),
    )
    op.create_index(op.f(f"ix_{name}_person_id"), name, ["person_id"], unique=False)


def upgrade() -> None:
    _table("support")
    _table("follow")
    # Plain ALTER TABLE (no batch copy): copying `idea` on SQLite would drop its search triggers.
    op.add_column("idea", sa.Column("show_author", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("idea", sa.Column("supporters", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("idea", sa.Column("followers", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("idea", sa.Column("supporters_told", sa.Integer(), nullable=False, server_default="0"))
    op.create_index(op.f("ix_idea_supporters"), "idea", ["supporters"], unique=False)
    op.add_column("person", sa.Column("support_news", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("person", "support_news")
    op.drop_index(op.f("ix_idea_supporters"), table_name="idea")
    for column in ("supporters_told", "followers", "supporters", "show_author"):
        op.drop_column("idea", column)
    for name in ("follow", "support"):
        op.drop_index(op.f(f"ix_{name}_person_id"), table_name=name)
        op.drop_table(name)
