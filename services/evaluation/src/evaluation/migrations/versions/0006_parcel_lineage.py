"""Parcels keep the registry's lineage: the parcels they were split (分宗) or merged (合宗) from, so a
grade history reads across the act and no year before the act is graded, and the day they ended, so
no year after it is graded.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcels", sa.Column("predecessors", pg.JSONB(), nullable=False, server_default="[]"))
    op.add_column("parcels", sa.Column("began_on", sa.Date()))
    op.add_column("parcels", sa.Column("ended_on", sa.Date()))


def downgrade() -> None:
    op.drop_column("parcels", "ended_on")
    op.drop_column("parcels", "began_on")
    op.drop_column("parcels", "predecessors")
