"""Migration steps for the plumbing tables (outbox, inbox, idempotency keys).

Service migrations call these; each function is a frozen schema version: a later change to the
plumbing tables gets a new function, never an edit here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg


def create_plumbing_tables_v1(op: Any) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("headers", pg.JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    # Partial index: the relay scans only unpublished rows, however large the table grows.
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
    )


def outbox_deleted_on_publish_v2(op: Any) -> None:
    """The relay deletes the rows it publishes. The index over every row's `published_at` goes: no
    claim reads it any more, and every row written paid for an entry in it. Rows a relay of an
    earlier version marked published instead are found through a partial index that holds only
    them, empty once the relay has swept them (`OutboxRelay.cleanup`)."""
    op.drop_index("ix_outbox_published_at", table_name="outbox")
    op.create_index("ix_outbox_marked", "outbox", ["id"], postgresql_where=sa.text("published_at IS NOT NULL"))


def outbox_marked_on_publish_v1(op: Any) -> None:
    """Back to v1's indexes (the downgrade of `outbox_deleted_on_publish_v2`)."""
    op.drop_index("ix_outbox_marked", table_name="outbox")
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])


def drop_plumbing_tables_v1(op: Any) -> None:
    for table in ("idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)


def outbox_lanes_v3(op: Any) -> None:
    """A bulk lane in the outbox: rows written with `bulk` set are claimed apart from the others,
    and the live lane's claim finds its rows through an index a bulk backlog has no entries in.
    A column with a constant default: no table rewrite."""
    op.add_column("outbox", sa.Column("bulk", sa.Boolean, nullable=False, server_default=sa.text("false")))
    op.create_index("ix_outbox_live", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL AND NOT bulk"))


def outbox_one_lane_v2(op: Any) -> None:
    """Back to v2 (the downgrade of `outbox_lanes_v3`)."""
    op.drop_index("ix_outbox_live", table_name="outbox")
    op.drop_column("outbox", "bulk")
