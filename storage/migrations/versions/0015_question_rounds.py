"""Question rounds ("bevragingen"): the round, each person's response, and its answers.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("target_neighbourhoods", sa.JSON(), nullable=False),
        sa.Column("target_roles", sa.JSON(), nullable=False),
        sa.Column("target_languages", sa.JSON(), nullable=False),
        sa.Column("target_contributions", sa.JSON(), nullable=False),
        sa.Column("everyone", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("publish_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("announced_to", sa.Integer(), nullable=False),
        sa.Column("announced_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("drawn_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("outcome_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_reminded_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("told_to", sa.Integer(), nullable=False),
        sa.Column("told_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("picked", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_round_created_by_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_round_project_id_project"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round")),
    )
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_round_state"), ["state"], unique=False)

    op.create_table(
        "round_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("neighbourhood", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("started_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_round_response_person_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_round_response_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_response")),
        sa.UniqueConstraint("round_id", "person_id", name=op.f("uq_round_response_round_id")),
    )
    with op.batch_alter_table("round_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_response_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_round_response_round_id"), ["round_id"], unique=False)

    op.create_table(
        "round_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["round_response.id"],
            name=op.f("fk_round_answer_response_id_round_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_round_answer_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_answer")),
        sa.UniqueConstraint("response_id", "question", "option", name=op.f("uq_round_answer_response_id")),
    )
    with op.batch_alter_table("round_answer", schema=None) as batch_op:
        batch_op.create_index("ix_round_answer_counts", ["round_id", "question", "option"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("round_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_round_answer_counts")

    op.drop_table("round_answer")
    with op.batch_alter_table("round_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_response_round_id"))
        batch_op.drop_index(batch_op.f("ix_round_response_person_id"))

    op.drop_table("round_response")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_state"))
        batch_op.drop_index(batch_op.f("ix_round_project_id"))

    op.drop_table("round")
