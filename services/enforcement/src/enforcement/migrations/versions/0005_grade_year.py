"""The year of the newest grading acted on per parcel: a later year's grading outranks an earlier
year's, whenever each was made (rows recorded before this have none and rank lowest).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcel_grades", sa.Column("year", sa.Integer))


def downgrade() -> None:
    op.drop_column("parcel_grades", "year")
