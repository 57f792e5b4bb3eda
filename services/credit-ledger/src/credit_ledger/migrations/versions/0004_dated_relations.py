"""Responsible persons and equity links are dated: each relation has a period (`valid_from`,
`valid_to`), so penetration for a graded year walks the relations valid in that year.

A report that drops a person or a shareholder ends its period on the day the change took effect
instead of deleting it; one that adds one begins a period. At most one open period per relation.
Rows kept before are open periods known since ever (`valid_from` null), as the registry's first
report of an enterprise is.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_RELATIONS = {"responsible_persons": ("uscc", "person_ref"), "equity_links": ("shareholder_uscc", "investee_uscc")}


def upgrade() -> None:
    for table, key in _RELATIONS.items():
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.add_column(table, sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False))
        op.add_column(table, sa.Column("valid_from", sa.Date))
        op.add_column(table, sa.Column("valid_to", sa.Date))
        op.create_primary_key(f"pk_{table}", table, ["id"])
        op.create_index(f"uq_{table}_open", table, list(key), unique=True,
                        postgresql_where=sa.text("valid_to IS NULL"))


def downgrade() -> None:
    for table, key in _RELATIONS.items():
        op.execute(f"DELETE FROM {table} WHERE valid_to IS NOT NULL")  # nosec B608  # names from code
        op.drop_index(f"uq_{table}_open", table)
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        for column in ("id", "valid_from", "valid_to"):
            op.drop_column(table, column)
        op.create_primary_key(f"pk_{table}", table, list(key))
