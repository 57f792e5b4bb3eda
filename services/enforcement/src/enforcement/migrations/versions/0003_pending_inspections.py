"""Inspections of parcels the registry has not reported yet: kept until the parcel arrives.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pending_inspections",
        sa.Column("inspection_id", sa.String(128)),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("inspected_at", TS, nullable=False),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("findings", JSONB, nullable=False),
        sa.Column("jurisdiction", sa.String(100)),
        sa.Column("unrestricted", sa.Boolean, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("refusal", sa.Text),
        sa.PrimaryKeyConstraint("inspection_id", name="pk_pending_inspections"),
    )
    op.create_index("ix_pending_inspections_parcel_status", "pending_inspections", ["parcel_id", "status"])


def downgrade() -> None:
    op.drop_table("pending_inspections")
