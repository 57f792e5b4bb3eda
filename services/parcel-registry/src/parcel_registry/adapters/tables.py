"""Tables of the parcel-registry database (this service's alone).

ID numbers never appear in plain text: see ``person_ids.py``. Revenue filings keep every
revision (``is_current`` marks the one that counts) and the parcel attribution each revision got
when it was accepted.
"""

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from servicekit.db import new_metadata
from servicekit.wiring import StandardTables

metadata = new_metadata()
plumbing = StandardTables.on(metadata)

MONEY = Numeric(20, 2)
AREA = Numeric(18, 4)


def _stamps() -> list[Column[Any]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


parcels = Table(
    "parcels",
    metadata,
    Column("parcel_id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("address", String(300), nullable=False, server_default=""),
    Column("jurisdiction", String(32), nullable=False, index=True),
    Column("area_m2", AREA, nullable=False),
    Column("category", String(24), nullable=False, index=True),
    Column("rights_holder", String(18), nullable=False, index=True),
    Column("geometry", JSONB),
    Column("commitments", JSONB, nullable=False, server_default="[]"),
    Column("deadlines", JSONB, nullable=False, server_default="[]"),
    Column("flags", JSONB, nullable=False, server_default="[]"),
    # The dated holder periods (`domain/holders.py`); [] for a row written before they were kept.
    Column("holders", JSONB, nullable=False, server_default="[]"),
    # Lineage (`domain/parcels.py`): {"predecessors": [...], "ending": {"on", "act", "document_ref",
    # "successors"}}, {} for a parcel neither made by nor ended by an act; `ended_on` repeats the
    # end's day so that readers can select the parcels in force on a day.
    Column("lineage", JSONB, nullable=False, server_default="{}"),
    Column("ended_on", Date),
    Column("version", Integer, nullable=False, server_default="1"),
    *_stamps(),
)

# Every act on a parcel or an enterprise: who, when (service clock), why, and what changed.
# Entries are only ever added; `entry_id` orders them.
ledger_history = Table(
    "ledger_history",
    metadata,
    Column("entry_id", BigInteger, Identity(always=True), primary_key=True),
    Column("subject", String(16), nullable=False),
    Column("key", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", String(500)),
    Column("reference", String(200)),
    Column("effective_on", Date),
    Column("changes", JSONB, nullable=False, server_default="{}"),
    Index("ix_ledger_history_subject_key", "subject", "key", "entry_id"),
)

leases = Table(
    "leases",
    metadata,
    Column("parcel_id", String(64), nullable=False),
    Column("lease_id", String(64), nullable=False),
    Column("tenant", String(18), nullable=False, index=True),
    Column("area_m2", AREA, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("approval_reference", String(100)),
    Column("approval_date", Date),
    Column("equity_linked", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False, server_default="1"),
    *_stamps(),
    PrimaryKeyConstraint("parcel_id", "lease_id"),
    ForeignKeyConstraint(["parcel_id"], ["parcels.parcel_id"]),
)

enterprises = Table(
    "enterprises",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("status", String(24), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    *_stamps(),
)

responsible_persons = Table(
    "responsible_persons",
    metadata,
    Column("uscc", String(18), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("name", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("id_ciphertext", LargeBinary, nullable=False),
    Column("person_ref", String(64), nullable=False, index=True),
    Column("id_masked", String(18), nullable=False),
    PrimaryKeyConstraint("uscc", "position"),
    ForeignKeyConstraint(["uscc"], ["enterprises.uscc"], ondelete="CASCADE"),
)

shareholdings = Table(
    "shareholdings",
    metadata,
    Column("company", String(18), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("share_pct", Numeric(9, 4), nullable=False),
    Column("holder_uscc", String(18), index=True),
    Column("person_ref", String(64), index=True),
    Column("id_ciphertext", LargeBinary),
    Column("id_masked", String(18)),
    PrimaryKeyConstraint("company", "position"),
    ForeignKeyConstraint(["company"], ["enterprises.uscc"], ondelete="CASCADE"),
)

revenue_filings = Table(
    "revenue_filings",
    metadata,
    Column("filing_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("parcel_id", String(64)),
    Column("year", SmallInteger, nullable=False),
    Column("quarter", SmallInteger),
    Column("output_value", MONEY, nullable=False),
    Column("tax_paid", MONEY, nullable=False),
    Column("attribution_method", String(24), nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("received_by", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("filing_id", "revision"),
    Index("ix_revenue_filings_current_uscc_year", "uscc", "year", postgresql_where=text("is_current")),
)

filing_attributions = Table(
    "filing_attributions",
    metadata,
    Column("filing_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("parcel_id", String(64), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("quarter", SmallInteger),
    Column("output_value", MONEY, nullable=False),
    Column("tax_paid", MONEY, nullable=False),
    Column("status", String(24), nullable=False),
    Column("basis", String(24)),
    Column("is_current", Boolean, nullable=False),
    PrimaryKeyConstraint("filing_id", "revision", "parcel_id"),
    ForeignKeyConstraint(["filing_id", "revision"], ["revenue_filings.filing_id", "revenue_filings.revision"]),
    Index("ix_filing_attributions_current_parcel_year", "parcel_id", "year", postgresql_where=text("is_current")),
)

suspected_occupants = Table(
    "suspected_occupants",
    metadata,
    Column("filing_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("parcel_id", String(64), nullable=False, index=True),
    Column("uscc", String(18), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("filing_id", "revision", "parcel_id"),
)

# A sheet imported in the background: any replica reads its state; `holder` and `heartbeat_at`
# (database time) say which replica runs it and whether it is still alive.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("file_name", String(255), nullable=False, server_default=""),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("content", LargeBinary),
    Column("holder", String(200)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("counts", JSONB, nullable=False, server_default="{}"),
    Column("converted", JSONB, nullable=False, server_default="[]"),
    Column("problems_total", Integer, nullable=False, server_default="0"),
    Column("problems", JSONB, nullable=False, server_default="[]"),
    Column("failure", JSONB),
    Index("ix_import_jobs_requested_by", "requested_by", "requested_at"),
    Index("ix_import_jobs_open", "requested_at", postgresql_where=text("state IN ('queued', 'running')")),
)
