"""Parcels keep their lineage: the parcels they were split or merged from, and their end (分宗,
合宗, 收回) with the parcels that succeed them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcels", sa.Column("lineage", pg.JSONB(), nullable=False, server_default="{}"))
    op.add_column("parcels", sa.Column("ended_on", sa.Date()))


def downgrade() -> None:
    op.drop_column("parcels", "ended_on")
    op.drop_column("parcels", "lineage")
