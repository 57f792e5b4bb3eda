"""Tables of the credit-ledger database (this service's alone)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from servicekit.db import new_metadata
from servicekit.notice_store import notices_table
from servicekit.wiring import StandardTables

metadata = new_metadata()
plumbing = StandardTables.on(metadata)

# The ledger. Every column of a record is hashed (see domain.chain), so any direct edit shows up
# in verify; a trigger (migration 0002) also refuses UPDATE and DELETE outright.
credit_records = Table(
    "credit_records", metadata,
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("record_id", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("origin", String(200), nullable=False, index=True),
    Column("subject_kind", String(16), nullable=False),
    Column("subject_ref", String(100), nullable=False, index=True),
    Column("parcel_id", String(100), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("path", JSONB, nullable=False),
    Column("path_sentence", Text, nullable=False),
    Column("polarity", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("grade", String(1)),
    Column("year", Integer),
    Column("supersedes", String(64), index=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("appended_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row: the head of the chain. Appends lock it (SELECT ... FOR UPDATE), which makes the chain
# strictly sequential across consumers and replicas; verify also treats it as a local anchor.
ledger_head = Table(
    "ledger_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("sequence", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

ledger_anchors = Table(
    "ledger_anchors", metadata,
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("head_hash", String(64), nullable=False),
    Column("anchored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# This service's own projection of the registry's enterprises (for penetration).
enterprises = Table(
    "enterprises", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", Text, nullable=False),
    Column("status", String(50), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Relations are dated: a period from `valid_from` (null: known since ever) up to `valid_to`,
# exclusive (null: still valid). A report that drops one ends its period; at most one is open.
responsible_persons = Table(
    "responsible_persons", metadata,
    Column("uscc", String(18), nullable=False),
    Column("person_ref", String(100), nullable=False, index=True),  # opaque token, never an ID number
    Column("name", Text, nullable=False),  # personal data: masked in every read but admin's
    Column("role", String(100), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    PrimaryKeyConstraint("id"),
    Index("uq_responsible_persons_open", "uscc", "person_ref", unique=True,
          postgresql_where=text("valid_to IS NULL")),
)

equity_links = Table(
    "equity_links", metadata,
    Column("shareholder_uscc", String(18), nullable=False, index=True),
    Column("investee_uscc", String(18), nullable=False, index=True),
    Column("share", Numeric(9, 6), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    PrimaryKeyConstraint("id"),
    Index("uq_equity_links_open", "shareholder_uscc", "investee_uscc", unique=True,
          postgresql_where=text("valid_to IS NULL")),
)

# Every grade event seen (deduplicated by evaluation id): parcel → holder, and the public list.
grades = Table(
    "grades", metadata,
    Column("evaluation_id", String(100), primary_key=True),
    Column("parcel_id", String(100), nullable=False, index=True),
    Column("holder_uscc", String(18), nullable=False),
    Column("year", Integer, nullable=False),
    Column("grade", String(1), nullable=False),
    Column("status", String(16), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)

# The benefits register: how parcels' grades reach each enterprise, and what it holds.
benefit_standings = Table(
    "benefit_standings", metadata,
    Column("uscc", String(18), nullable=False),
    Column("parcel_id", String(100), nullable=False, index=True),
    Column("relation", String(32), nullable=False),
    Column("path_sentence", Text, nullable=False),
    Column("final_grade", String(1)),
    Column("final_at", DateTime(timezone=True)),
    Column("final_year", Integer),
    Column("pending_grade", String(1)),
    Column("pending_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("uscc", "parcel_id"),
)

entitlements = Table(
    "entitlements", metadata,
    Column("uscc", String(18), nullable=False),
    Column("entitlement", String(32), nullable=False, index=True),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("grounds", JSONB, nullable=False),
    PrimaryKeyConstraint("uscc", "entitlement"),
)

benefit_history = Table(
    "benefit_history", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("entitlement", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("grounds", JSONB, nullable=False),
    Column("parcel_id", String(100), nullable=False),
    Column("grade", String(1), nullable=False),
    Column("grade_status", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

repairs = Table(
    "repairs", metadata,
    Column("repair_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("subject_ref", String(100), nullable=False, index=True),
    Column("record_id", String(64), nullable=False),
    Column("evidence", JSONB, nullable=False),
    Column("statement", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("applied_by", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_note", Text),
)

# Who read which credit file, when (every read of GET /v1/subjects/{uscc}/credit).
credit_reads = Table(
    "credit_reads", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("reader", String(200), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("subject_ref", String(100), nullable=False, index=True),
    Column("unmasked", Boolean, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Notices to enterprises: written in the transaction of the fact that causes them, delivered
# afterwards by the sender (status pending → sent, or failed after the most attempts). `recipient`
# is the enterprise's USCC; the parcel the notice is about is its own column.
notices = notices_table(metadata, Column("parcel_id", String(100)))

# Where each enterprise is reached (registered by the enterprise itself or by admin).
notice_contacts = Table(
    "notice_contacts", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("email", String(254)),
    Column("phone", String(32)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
)
