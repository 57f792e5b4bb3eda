"""A parcel's timeline of occupancy: append-only, one row per change that matters to who occupies it.

The facts projection keeps only current rows; `parcel_timeline` keeps what changed and when
(holder, leases, suspected occupants, findings, cases), written with the projection's upsert.
`(parcel_id, entry_key)` is unique so a redelivered event never writes a second entry.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parcel_timeline",
        sa.Column("seq", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("entry_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uscc", sa.String(18)),
        sa.Column("zh", sa.Text(), nullable=False),
        sa.Column("en", sa.Text(), nullable=False),
        sa.Column("details", JSONB(), nullable=False, server_default="{}"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_parcel_timeline")),
        sa.UniqueConstraint("parcel_id", "entry_key", name=op.f("uq_parcel_timeline_parcel_id")),
    )
    op.create_index("ix_parcel_timeline_parcel_at", "parcel_timeline", ["parcel_id", "at", "seq"])


def downgrade() -> None:
    op.drop_table("parcel_timeline")
