"""Dated leases, objection windows counted in working days, and re-evaluations of final years.

- `leases.start_date`: a lease counts only for the years it was in force.
- `evaluation_runs.objection_window_days` / `objection_last_day`: the window as published, in
  working days on China's official calendar, and the last day objections are taken.
- `re_evaluations`: each re-evaluation of a final year (重新评价) — who, when, why, and which
  grades it changed; `evaluations.re_evaluation_id` ties each corrected grade to it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("leases", sa.Column("start_date", sa.Date()))
    op.add_column("evaluation_runs", sa.Column("objection_window_days", sa.Integer()))
    op.add_column("evaluation_runs", sa.Column("objection_last_day", sa.Date()))
    op.add_column("evaluations", sa.Column("re_evaluation_id", sa.String(36)))
    op.create_table(
        "re_evaluations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ruleset_id", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("changes", JSONB(), nullable=False, server_default="[]"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_re_evaluations")),
    )
    op.create_index(op.f("ix_re_evaluations_year"), "re_evaluations", ["year"], unique=False)


def downgrade() -> None:
    op.drop_table("re_evaluations")
    op.drop_column("evaluations", "re_evaluation_id")
    op.drop_column("evaluation_runs", "objection_last_day")
    op.drop_column("evaluation_runs", "objection_window_days")
    op.drop_column("leases", "start_date")
