"""Import jobs: large sheets imported in the background, their state in the database.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("file_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary),
        sa.Column("holder", sa.String(200)),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("counts", pg.JSONB(), nullable=False, server_default="{}"),
        sa.Column("converted", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("problems_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("problems", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("failure", pg.JSONB()),
        sa.PrimaryKeyConstraint("job_id", name="pk_import_jobs"),
    )
    op.create_index("ix_import_jobs_requested_by", "import_jobs", ["requested_by", "requested_at"])
    op.create_index("ix_import_jobs_open", "import_jobs", ["requested_at"],
                    postgresql_where=sa.text("state IN ('queued', 'running')"))


def downgrade() -> None:
    op.drop_table("import_jobs")
