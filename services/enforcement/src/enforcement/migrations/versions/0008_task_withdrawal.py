"""Inspection tasks withdrawn by a lease's approval: status "withdrawn" (done_at says when) and the
approval that withdrew the task (the approved lease, its document number and date).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inspection_tasks", sa.Column("approval_lease_id", sa.String(64)))
    op.add_column("inspection_tasks", sa.Column("approval_ref", sa.String(100)))
    op.add_column("inspection_tasks", sa.Column("approval_date", sa.Date()))


def downgrade() -> None:
    op.drop_column("inspection_tasks", "approval_date")
    op.drop_column("inspection_tasks", "approval_ref")
    op.drop_column("inspection_tasks", "approval_lease_id")
