"""What an inspector needs to find a parcel: its address and its holder's name in the projection.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parcels", sa.Column("address", sa.String(300)))
    op.add_column("parcels", sa.Column("holder_name", sa.Text))


def downgrade() -> None:
    op.drop_column("parcels", "holder_name")
    op.drop_column("parcels", "address")
