"""The outbox relay deletes the rows it publishes (servicekit's plumbing step v2, every service's
database takes it): the index over `published_at` goes, a partial index finds rows an earlier relay
marked published instead.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

from servicekit.plumbing_schema import outbox_deleted_on_publish_v2, outbox_marked_on_publish_v1

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_deleted_on_publish_v2(op)


def downgrade() -> None:
    outbox_marked_on_publish_v1(op)
