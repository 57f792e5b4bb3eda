"""The ledger remembers: dated holder periods of parcels and the history of every act.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcels", sa.Column("holders", pg.JSONB(), nullable=False, server_default="[]"))
    op.create_table(
        "ledger_history",
        sa.Column("entry_id", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("reference", sa.String(200)),
        sa.Column("effective_on", sa.Date),
        sa.Column("changes", pg.JSONB(), nullable=False, server_default="{}"),
        sa.PrimaryKeyConstraint("entry_id", name="pk_ledger_history"),
    )
    op.create_index("ix_ledger_history_subject_key", "ledger_history", ["subject", "key", "entry_id"])


def downgrade() -> None:
    op.drop_table("ledger_history")
    op.drop_column("parcels", "holders")
