"""A bulk lane in the outbox (servicekit's plumbing step v3, every service's database takes it): a
`bulk` column, and a partial index for the live lane's claim.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

from servicekit.plumbing_schema import outbox_lanes_v3, outbox_one_lane_v2

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_lanes_v3(op)


def downgrade() -> None:
    outbox_one_lane_v2(op)
