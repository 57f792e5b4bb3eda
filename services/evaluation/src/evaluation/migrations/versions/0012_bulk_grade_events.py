"""Each parcel-year's current grade remembers the grade event a whole-year write last sent for it by
the bulk lane, and the evaluation that event announced (`domain.lanes`).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("current_grades", sa.Column("bulk_event_id", sa.String(36)))
    op.add_column("current_grades", sa.Column("bulk_evaluation_id", sa.String(36)))


def downgrade() -> None:
    op.drop_column("current_grades", "bulk_evaluation_id")
    op.drop_column("current_grades", "bulk_event_id")
