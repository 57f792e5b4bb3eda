"""Notices to street offices (a new inspection task, written with the task, sent afterwards) and
where to reach each street office.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("seq", sa.BigInteger, sa.Identity()),
        sa.Column("notice_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("parcel_id", sa.String(64)),
        sa.Column("task_id", sa.String(36)),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("respond_by", sa.Date),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", TS),
        sa.Column("channel", sa.String(16)),
        sa.PrimaryKeyConstraint("seq", name="pk_notices"),
        sa.UniqueConstraint("notice_id", name="uq_notices_notice_id"),
    )
    op.create_index("ix_notices_recipient_seq", "notices", ["recipient", "seq"])
    op.create_index("ix_notices_pending", "notices", ["seq"], postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "street_contacts",
        sa.Column("street", sa.String(100)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(32)),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("street", name="pk_street_contacts"),
    )


def downgrade() -> None:
    op.drop_table("street_contacts")
    op.drop_table("notices")
