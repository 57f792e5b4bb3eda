"""Filings that arrive before their parcel: the suspected occupants they imply wait for it.

Filings and parcels travel on different topics, so an uncounted filing (its filer neither holder
nor approved tenant) may name a parcel evaluation does not know yet. `filings_awaiting_parcel`
keeps its filer, one row per parcel and filer (the first filing, as the timeline's entry keeps),
until the parcel's first upsert writes the timeline entries they imply and deletes the rows in
the same transaction.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "filings_awaiting_parcel",
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("filing_id", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("parcel_id", "uscc", name=op.f("pk_filings_awaiting_parcel")),
    )


def downgrade() -> None:
    op.drop_table("filings_awaiting_parcel")
