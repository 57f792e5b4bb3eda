"""Enforcement tables: parcel projection, inspections, findings, evidence, cases, inspection tasks.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# Evidence may be produced in legal proceedings: the database itself refuses to alter or delete it.
EVIDENCE_GUARD = (
    """CREATE FUNCTION evidence_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'evidence % is immutable once recorded', OLD.evidence_id;
    END $$""",
    """CREATE TRIGGER evidence_is_immutable BEFORE UPDATE OR DELETE ON evidence
      FOR EACH ROW EXECUTE FUNCTION evidence_is_immutable()""",
)


def upgrade() -> None:
    op.create_table(
        "parcels",
        sa.Column("parcel_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("street_key", sa.String(100), nullable=False),
        sa.Column("holder_uscc", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("parcel_id", name="pk_parcels"),
    )
    op.create_index("ix_parcels_street_key", "parcels", ["street_key"])
    op.create_table(
        "parcel_grades",
        sa.Column("parcel_id", sa.String(64)),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("evaluation_id", sa.String(100), nullable=False),
        sa.Column("evaluated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("parcel_id", name="pk_parcel_grades"),
    )
    op.create_table(
        "inspections",
        sa.Column("inspection_id", sa.String(128)),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("street_key", sa.String(100), nullable=False),
        sa.Column("inspected_at", TS, nullable=False),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("inspection_id", name="pk_inspections"),
    )
    op.create_index("ix_inspections_parcel_id", "inspections", ["parcel_id"])
    op.create_index("ix_inspections_street_key", "inspections", ["street_key"])
    op.create_table(
        "findings",
        sa.Column("finding_id", sa.String(140)),
        sa.Column("inspection_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("holder_attitude", sa.String(40), nullable=False),
        sa.Column("tenant_uscc", sa.String(18)),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("finding_id", name="pk_findings"),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.inspection_id"],
                                name="fk_findings_inspection_id_inspections"),
    )
    op.create_index("ix_findings_inspection_id", "findings", ["inspection_id"])
    op.create_table(
        "evidence",
        sa.Column("evidence_id", sa.String(36)),
        sa.Column("inspection_id", sa.String(128), nullable=False),
        sa.Column("media_type", sa.String(60), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("storage_name", sa.String(80), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("evidence_id", name="pk_evidence"),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.inspection_id"],
                                name="fk_evidence_inspection_id_inspections"),
        sa.UniqueConstraint("inspection_id", "sha256", name="uq_evidence_inspection_sha256"),
    )
    for statement in EVIDENCE_GUARD:
        op.execute(statement)
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(36)),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("street_key", sa.String(100), nullable=False),
        sa.Column("holder_uscc", sa.String(40)),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("closed_at", TS),
        sa.Column("overdue_flagged_for", sa.Date),
        sa.PrimaryKeyConstraint("case_id", name="pk_cases"),
    )
    op.create_index("ix_cases_parcel_id", "cases", ["parcel_id"])
    op.create_index("ix_cases_street_key", "cases", ["street_key"])
    op.create_index("uq_cases_open_per_parcel_kind", "cases", ["parcel_id", "kind"], unique=True,
                    postgresql_where=sa.text("state <> 'closed'"))
    op.create_index("ix_cases_open_due", "cases", ["due_date"], postgresql_where=sa.text("state <> 'closed'"))
    op.create_table(
        "case_timeline",
        sa.Column("id", sa.BigInteger, sa.Identity()),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(30)),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("due_date", sa.Date),
        sa.PrimaryKeyConstraint("id", name="pk_case_timeline"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name="fk_case_timeline_case_id_cases"),
    )
    op.create_index("ix_case_timeline_case_id", "case_timeline", ["case_id"])
    op.create_table(
        "inspection_tasks",
        sa.Column("task_id", sa.String(36)),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("street_key", sa.String(100), nullable=False),
        sa.Column("suspected_uscc", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("filing_id", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("reports", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_reported_at", TS, nullable=False),
        sa.Column("done_at", TS),
        sa.Column("done_by_inspection_id", sa.String(128)),
        sa.PrimaryKeyConstraint("task_id", name="pk_inspection_tasks"),
    )
    op.create_index("uq_inspection_tasks_open", "inspection_tasks", ["parcel_id", "suspected_uscc"],
                    unique=True, postgresql_where=sa.text("status = 'open'"))
    op.create_index("ix_inspection_tasks_street_status", "inspection_tasks", ["street_key", "status"])


def downgrade() -> None:
    op.drop_table("inspection_tasks")
    op.drop_table("case_timeline")
    op.drop_table("cases")
    op.execute("DROP TRIGGER evidence_is_immutable ON evidence")
    op.execute("DROP FUNCTION evidence_is_immutable()")
    op.drop_table("evidence")
    op.drop_table("findings")
    op.drop_table("inspections")
    op.drop_table("parcel_grades")
    op.drop_table("parcels")
