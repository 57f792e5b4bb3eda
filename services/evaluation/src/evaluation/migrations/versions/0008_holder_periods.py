"""The registry's dated holder periods on each parcel, so each graded year has its own holder.

A transfer (转让) dated inside the ledger's history moves only the years after it: the ruleset's
`year_holder` picks who answers for the year it took effect in. Rows stored before keep `[]`,
read as one open period of `holder_uscc` (as events sent before `holders` existed are).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcels", sa.Column("holders", JSONB(), nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("parcels", "holders")
