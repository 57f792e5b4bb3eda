"""Plumbing tables: outbox, inbox, idempotency keys. The first revision of every service's chain,
kept once here (see `servicekit.migrations.version_locations`).

Revision ID: 0001
Revises:
"""
from alembic import op

from servicekit.plumbing_schema import create_plumbing_tables_v1, drop_plumbing_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing_tables_v1(op)


def downgrade() -> None:
    drop_plumbing_tables_v1(op)
