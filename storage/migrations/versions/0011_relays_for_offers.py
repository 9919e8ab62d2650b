"""Relays also about offers: who asked for which organisation, and the ask before the yes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WHEN = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("relay") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("offer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("asked_at", WHEN, nullable=True))
    # Every relay so far is about a project, opened by the author's yes to its adopter.
    op.execute(
        "UPDATE relay SET asked_at = opened_at, "
        "organisation_id = (SELECT organisation_id FROM project WHERE project.id = relay.project_id), "
        "partner_id = (SELECT adopted_by FROM project WHERE project.id = relay.project_id)"
    )
    with op.batch_alter_table("relay") as batch:
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("asked_at", existing_type=WHEN, nullable=False)
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("opened_at", existing_type=WHEN, nullable=True)
        batch.create_foreign_key(
            batch.f("fk_relay_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_foreign_key(
            batch.f("fk_relay_partner_id_person"), "person", ["partner_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(batch.f("fk_relay_offer_id_offer"), "offer", ["offer_id"], ["id"], ondelete="CASCADE")
        batch.create_unique_constraint(batch.f("uq_relay_offer_id"), ["offer_id", "organisation_id"])


def downgrade() -> None:
    op.execute("DELETE FROM relay WHERE project_id IS NULL OR opened_at IS NULL")
    with op.batch_alter_table("relay") as batch:
        batch.drop_constraint(batch.f("uq_relay_offer_id"), type_="unique")
        batch.drop_constraint(batch.f("fk_relay_offer_id_offer"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_relay_partner_id_person"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_relay_organisation_id_organisation"), type_="foreignkey")
        batch.alter_column("opened_at", existing_type=WHEN, nullable=False)
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("asked_at")
        batch.drop_column("offer_id")
        batch.drop_column("partner_id")
        batch.drop_column("organisation_id")
