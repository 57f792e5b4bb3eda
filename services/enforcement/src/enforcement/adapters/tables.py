"""Tables of the enforcement database (this service's alone).

`street_key` columns hold the canonical jurisdiction key (`landgrade_reference.jurisdictions`) so
that "荣华街道", "Ronghua" and "ronghua" select the same rows.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from servicekit.db import new_metadata
from servicekit.notice_store import notices_table
from servicekit.wiring import StandardTables

metadata = new_metadata()
plumbing = StandardTables.on(metadata)

# Projection of the registry's parcels: just what jurisdiction checks and case views need.
parcels = Table(
    "parcels", metadata,
    Column("parcel_id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("street", String(100), nullable=False),
    Column("street_key", String(100), nullable=False, index=True),
    Column("holder_uscc", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # For the inspector's task list; null until the registry's parcel event carries them.
    Column("address", String(300)),
    Column("holder_name", Text),
)

# The latest grade acted on per parcel, so an out-of-date grade event cannot undo a newer one.
parcel_grades = Table(
    "parcel_grades", metadata,
    Column("parcel_id", String(64), primary_key=True),
    Column("grade", String(1), nullable=False),
    Column("status", String(20), nullable=False),
    Column("evaluation_id", String(100), nullable=False),
    Column("year", Integer),  # null only on rows recorded before migration 0005
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)

inspections = Table(
    "inspections", metadata,
    Column("inspection_id", String(128), primary_key=True),
    Column("parcel_id", String(64), nullable=False, index=True),
    Column("street", String(100), nullable=False),
    Column("street_key", String(100), nullable=False, index=True),
    Column("inspected_at", DateTime(timezone=True), nullable=False),
    Column("inspector", String(200), nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

findings = Table(
    "findings", metadata,
    Column("finding_id", String(140), primary_key=True),
    Column("inspection_id", String(128), ForeignKey("inspections.inspection_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("type", String(40), nullable=False),
    Column("holder_attitude", String(40), nullable=False),
    Column("tenant_uscc", String(18)),
    Column("note", Text),
)

evidence = Table(
    "evidence", metadata,
    Column("evidence_id", String(36), primary_key=True),
    Column("inspection_id", String(128), ForeignKey("inspections.inspection_id"), nullable=False),
    Column("media_type", String(60), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("storage_name", String(80), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    UniqueConstraint("inspection_id", "sha256", name="uq_evidence_inspection_sha256"),
)

cases = Table(
    "cases", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("parcel_id", String(64), nullable=False, index=True),
    Column("street", String(100), nullable=False),
    Column("street_key", String(100), nullable=False, index=True),
    Column("holder_uscc", String(40)),
    Column("state", String(30), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_date", Date),
    Column("closed_at", DateTime(timezone=True)),
    Column("overdue_flagged_for", Date),
    # One open case per parcel and kind, whatever the number of duplicate grade events.
    Index("uq_cases_open_per_parcel_kind", "parcel_id", "kind", unique=True,
          postgresql_where=text("state <> 'closed'")),
    Index("ix_cases_open_due", "due_date", postgresql_where=text("state <> 'closed'")),
)

case_timeline = Table(
    "case_timeline", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(30)),
    Column("to_state", String(30), nullable=False),
    Column("reason", Text, nullable=False),
    Column("due_date", Date),
)

# Suspected occupants reported by the registry: to-do items for the parcel's street office.
inspection_tasks = Table(
    "inspection_tasks", metadata,
    Column("task_id", String(36), primary_key=True),
    Column("parcel_id", String(64), nullable=False),
    Column("street", String(100), nullable=False),
    Column("street_key", String(100), nullable=False),
    Column("suspected_uscc", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("filing_id", String(100), nullable=False),
    Column("year", Integer, nullable=False),
    Column("reports", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_reported_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("done_by_inspection_id", String(128)),
    Column("lease_id", String(64)),  # a task from an unapproved lease: filing_id is then empty
    # The lease approval that withdrew the task (status "withdrawn", done_at when); else null.
    Column("approval_lease_id", String(64)),
    Column("approval_ref", String(100)),
    Column("approval_date", Date),
    Index("uq_inspection_tasks_open", "parcel_id", "suspected_uscc", unique=True,
          postgresql_where=text("status = 'open'")),
    Index("ix_inspection_tasks_street_status", "street_key", "status"),
)

# Inspections posted for a parcel the registry had not reported yet (the registry's event is on its
# way): kept here, never lost, and recorded by the consumer of the parcel's event when it arrives
# ("pending"), or refused then when the parcel lies outside the poster's area ("refused").
pending_inspections = Table(
    "pending_inspections", metadata,
    Column("inspection_id", String(128), primary_key=True),
    Column("parcel_id", String(64), nullable=False),
    Column("inspected_at", DateTime(timezone=True), nullable=False),
    Column("inspector", String(200), nullable=False),
    Column("findings", JSONB, nullable=False),
    Column("jurisdiction", String(100)),
    Column("unrestricted", Boolean, nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False),
    Column("refusal", Text),
    Index("ix_pending_inspections_parcel_status", "parcel_id", "status"),
)

# Notices to street offices (a new inspection task): written in the transaction that creates the
# task, delivered afterwards by the sender (status pending → sent, or failed after the most
# attempts). `recipient` is the street's canonical key; the task's parcel and the task are its own.
notices = notices_table(metadata, Column("parcel_id", String(64)), Column("task_id", String(36)))

# Where each street office or town government is reached (by its canonical key).
street_contacts = Table(
    "street_contacts", metadata,
    Column("street", String(100), primary_key=True),
    Column("email", String(254)),
    Column("phone", String(32)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
)
