"""Inspection tasks from an unapproved lease: the lease that gave rise to the task (the filing's id
is then empty).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inspection_tasks", sa.Column("lease_id", sa.String(64)))


def downgrade() -> None:
    op.drop_column("inspection_tasks", "lease_id")
