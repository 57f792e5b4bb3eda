"""Tables of the evaluation database (this service's alone).

Facts projection: parcels, leases, shareholdings, parcel_revenue, findings, cases — kept from the
registry's and enforcement's events — and parcel_timeline, what changed on each parcel and when.
Grading: rulesets, evaluations (every result ever, with its explanation), current_grades (one row
per parcel and year), evaluation_runs, objections.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from servicekit.db import new_metadata
from servicekit.wiring import StandardTables

metadata = new_metadata()
plumbing = StandardTables.on(metadata)
MONEY = Numeric(20, 2)

parcels = Table(
    "parcels", metadata,
    Column("parcel_id", String(64), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("street", String(64), nullable=False),
    Column("category", String(32), nullable=False),
    Column("area_m2", Numeric(16, 2), nullable=False),
    Column("holder_uscc", String(18), nullable=False, index=True),
    Column("commitments", JSONB, nullable=False, server_default="[]"),
    Column("deadlines", JSONB, nullable=False, server_default="[]"),
    Column("flags", JSONB, nullable=False, server_default="[]"),
    # Lineage from the registry: the parcels this one was split or merged from (its grade history
    # includes theirs) and the day that act took effect (no year before is graded: the land was
    # graded as its predecessors then), and the first day it no longer exists (no year after is
    # graded).
    Column("predecessors", JSONB, nullable=False, server_default="[]"),
    Column("began_on", Date),
    Column("ended_on", Date),
    # The registry's dated holder periods, oldest first ({uscc, valid_from, valid_to}): each graded
    # year's holder is picked from them by the ruleset (`year_holder`); [] reads as `holder_uscc`.
    Column("holders", JSONB, nullable=False, server_default="[]"),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

leases = Table(
    "leases", metadata,
    Column("parcel_id", String(64), nullable=False),
    Column("lease_id", String(64), nullable=False),
    Column("tenant_uscc", String(18), nullable=False, index=True),
    Column("area_m2", Numeric(16, 2), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("approved", Boolean, nullable=False),
    Column("equity_linked", Boolean, nullable=False),
    Column("rectified_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("parcel_id", "lease_id"),
)

shareholdings = Table(
    "shareholdings", metadata,
    Column("uscc", String(18), nullable=False),
    Column("holder_node", String(80), nullable=False, index=True),  # "E:<USCC>" or "P:<person ref>"
    PrimaryKeyConstraint("uscc", "holder_node"),
)

parcel_revenue = Table(
    "parcel_revenue", metadata,
    Column("parcel_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("output_value", MONEY, nullable=False),
    Column("tax_paid", MONEY, nullable=False),
    Column("filings", Integer, nullable=False),
    Column("contributors", ARRAY(String(18)), nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("parcel_id", "year"),
    Index("ix_parcel_revenue_year", "year"),
)

findings = Table(
    "findings", metadata,
    Column("finding_id", String(128), primary_key=True),
    Column("inspection_id", String(100), nullable=False),
    Column("parcel_id", String(64), nullable=False, index=True),
    Column("type", String(40), nullable=False),
    Column("tenant_uscc", String(18)),
    Column("holder_attitude", String(40)),
    Column("inspected_at", DateTime(timezone=True), nullable=False),
    Column("rectified_at", DateTime(timezone=True)),
    Column("rectified_by", String(100)),
)

cases = Table(
    "cases", metadata,
    Column("case_id", String(100), primary_key=True),
    Column("parcel_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("state", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# A parcel's timeline of occupancy: append-only, never updated; `(parcel_id, entry_key)` unique, so
# a redelivered fact writes nothing twice (the key comes from `domain.timeline`).
parcel_timeline = Table(
    "parcel_timeline", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("parcel_id", String(64), nullable=False),
    Column("entry_key", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("uscc", String(18)),
    Column("zh", Text, nullable=False),
    Column("en", Text, nullable=False),
    Column("details", JSONB, nullable=False, server_default="{}"),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("parcel_id", "entry_key"),
    Index("ix_parcel_timeline_parcel_at", "parcel_id", "at", "seq"),
)

# Uncounted filings that named a parcel not known yet: one per parcel and filer, until the parcel's
# first upsert turns them into timeline entries and deletes them (the same transaction).
filings_awaiting_parcel = Table(
    "filings_awaiting_parcel", metadata,
    Column("parcel_id", String(64), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("filing_id", String(100), nullable=False),
    Column("year", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("parcel_id", "uscc"),
)

rulesets = Table(
    "rulesets", metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("document", JSONB, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),
    Column("created_by", String(200), nullable=False, server_default="seed"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

evaluations = Table(
    "evaluations", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("parcel_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("holder_uscc", String(18), nullable=False),
    Column("street", String(64), nullable=False),
    Column("grade", String(1), nullable=False),
    Column("previous_grade", String(1)),
    Column("status", String(16), nullable=False),  # provisional | final
    Column("reasons", JSONB, nullable=False),
    Column("metrics", JSONB, nullable=False),
    Column("flags", ARRAY(String(64)), nullable=False),
    Column("review_case_needed", Boolean, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("ruleset_id", String(100), nullable=False),
    Column("run_id", String(36)),
    Column("trigger_event_id", String(100)),
    Column("objection_id", String(36)),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("re_evaluation_id", String(36)),
    Index("ix_evaluations_parcel_year", "parcel_id", "year", "seq"),
    Index("ix_evaluations_run_id", "run_id"),
)

current_grades = Table(
    "current_grades", metadata,
    Column("parcel_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("evaluation_id", String(36), nullable=False),
    Column("grade", String(1), nullable=False),
    Column("status", String(16), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("street", String(64), nullable=False),
    Column("holder_uscc", String(18), nullable=False),
    Column("ruleset_id", String(100), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    # The grade event a whole-year write last sent for the parcel-year by the bulk lane, and the
    # evaluation it announced (`domain.lanes`); cleared by the live grading that re-sends it.
    Column("bulk_event_id", String(36)),
    Column("bulk_evaluation_id", String(36)),
    PrimaryKeyConstraint("parcel_id", "year"),
    Index("ix_current_grades_year_grade_street", "year", "grade", "street"),
)

evaluation_runs = Table(
    "evaluation_runs", metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False, index=True),
    Column("ruleset_id", String(100), nullable=False),
    Column("state", String(16), nullable=False),  # queued | running | draft | published | final | failed
    Column("phase", String(32), nullable=False, server_default="queued"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("graded", Integer, nullable=False, server_default="0"),
    Column("changed", Integer, nullable=False, server_default="0"),
    Column("counts", JSONB, nullable=False, server_default="{}"),
    Column("requested_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("published_at", DateTime(timezone=True)),
    Column("objection_deadline", DateTime(timezone=True)),  # exclusive: midnight after the last day
    Column("finalized_at", DateTime(timezone=True)),
    Column("error", Text),
    Column("objection_window_days", Integer),  # working days, on China's official calendar
    Column("objection_last_day", Date),
)

objections = Table(
    "objections", metadata,
    Column("id", String(36), primary_key=True),
    Column("run_id", String(36), nullable=False, index=True),
    Column("parcel_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("holder_uscc", String(18), nullable=False),
    Column("statement", Text, nullable=False),
    Column("requested_grade", String(1)),
    Column("state", String(16), nullable=False),  # submitted | upheld | rejected
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("decided_grade", String(1)),
    Column("decision_note", Text),
    Column("decided_by", String(200)),
    Column("decided_at", DateTime(timezone=True)),
)

# Re-evaluations of final years (重新评价): an explicit, reasoned act, kept with who, when and why.
re_evaluations = Table(
    "re_evaluations", metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False, index=True),
    Column("ruleset_id", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("graded", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("changes", JSONB, nullable=False, server_default="[]"),  # [{parcel_id, from, to, evaluation_id}]
)

# Dynamic monitoring (动态监测): each filing's quarter (its latest revision) and amounts for the
# parcel, so a year reads quarter by quarter; and each parcel-year's current warnings, replaced
# after every filing (projections: never grades nor credit facts).
filing_quarters = Table(
    "filing_quarters", metadata,
    Column("filing_id", String(100), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("parcel_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer),  # None: a filing for the whole year, outside any pattern
    Column("output_value", MONEY, nullable=False),
    Column("tax_paid", MONEY, nullable=False),
    Column("counted", Boolean, nullable=False),
    Index("ix_filing_quarters_parcel_year", "parcel_id", "year"),
    Index("ix_filing_quarters_year", "year"),
)

parcel_warnings = Table(
    "parcel_warnings", metadata,
    Column("parcel_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("measure", String(32), nullable=False),
    Column("street", String(64), nullable=False),
    Column("quarter", Integer, nullable=False),
    Column("at_risk_of", String(1), nullable=False),
    Column("low_per_ha", MONEY, nullable=False),
    Column("point_per_ha", MONEY, nullable=False),
    Column("high_per_ha", MONEY, nullable=False),
    Column("threshold_per_ha", MONEY, nullable=False),
    Column("pattern_source", String(16), nullable=False),
    Column("pattern_years", ARRAY(Integer), nullable=False),
    Column("zh", Text, nullable=False),
    Column("en", Text, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("parcel_id", "year", "measure"),
    Index("ix_parcel_warnings_year_street", "year", "street"),
)
