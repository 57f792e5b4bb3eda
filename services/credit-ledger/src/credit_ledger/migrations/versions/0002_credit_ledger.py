"""Credit ledger: hash-chained records, anchors, enterprise graph, grades, benefits, repairs, reads.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64  # domain.chain.GENESIS_HASH, frozen here as migrations must not change

# Append-only at the database level too. Verify still detects edits made by someone who can
# switch this off (a superuser), which is what the hash chain is for.
APPEND_ONLY = [
    """CREATE FUNCTION credit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'credit_records is append-only: % refused', TG_OP;
    END $$""",
    """CREATE TRIGGER credit_records_append_only BEFORE UPDATE OR DELETE ON credit_records
        FOR EACH ROW EXECUTE FUNCTION credit_records_append_only()""",
    """CREATE TRIGGER credit_records_no_truncate BEFORE TRUNCATE ON credit_records
        FOR EACH STATEMENT EXECUTE FUNCTION credit_records_append_only()""",
]


def _ts(name: str, nullable: bool = False, server_default: sa.ColumnElement | None = None) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=server_default)


def upgrade() -> None:
    op.create_table(
        "credit_records",
        sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_ref", sa.String(100), nullable=False),
        sa.Column("parcel_id", sa.String(100), nullable=False),
        sa.Column("relation", sa.String(32), nullable=False),
        sa.Column("path", JSONB, nullable=False),
        sa.Column("path_sentence", sa.Text, nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _ts("occurred_at"),
        sa.Column("grade", sa.String(1)),
        sa.Column("year", sa.Integer),
        sa.Column("supersedes", sa.String(64)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        _ts("appended_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("sequence", name="pk_credit_records"),
        sa.UniqueConstraint("record_id", name="uq_credit_records_record_id"),
    )
    for column in ("origin", "subject_ref", "supersedes"):
        op.create_index(f"ix_credit_records_{column}", "credit_records", [column])
    for statement in APPEND_ONLY:  # one per execute: asyncpg prepares each statement
        op.execute(statement)

    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_head"),
    )
    op.execute(f"INSERT INTO ledger_head (id, sequence, hash) VALUES (1, 0, '{GENESIS_HASH}')")
    op.create_table(
        "ledger_anchors",
        sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        _ts("anchored_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("sequence", name="pk_ledger_anchors"),
    )

    op.create_table(
        "enterprises",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(50), nullable=False),
        _ts("updated_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("uscc", name="pk_enterprises"),
    )
    op.create_table(
        "responsible_persons",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("person_ref", sa.String(100), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "person_ref", name="pk_responsible_persons"),
    )
    op.create_index("ix_responsible_persons_person_ref", "responsible_persons", ["person_ref"])
    op.create_table(
        "equity_links",
        sa.Column("shareholder_uscc", sa.String(18), nullable=False),
        sa.Column("investee_uscc", sa.String(18), nullable=False),
        sa.Column("share", sa.Numeric(9, 6), nullable=False),
        sa.PrimaryKeyConstraint("shareholder_uscc", "investee_uscc", name="pk_equity_links"),
    )
    op.create_index("ix_equity_links_shareholder_uscc", "equity_links", ["shareholder_uscc"])
    op.create_index("ix_equity_links_investee_uscc", "equity_links", ["investee_uscc"])

    op.create_table(
        "grades",
        sa.Column("evaluation_id", sa.String(100), primary_key=True),
        sa.Column("parcel_id", sa.String(100), nullable=False),
        sa.Column("holder_uscc", sa.String(18), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("evaluated_at"),
        sa.PrimaryKeyConstraint("evaluation_id", name="pk_grades"),
    )
    op.create_index("ix_grades_parcel_id", "grades", ["parcel_id"])

    op.create_table(
        "benefit_standings",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("parcel_id", sa.String(100), nullable=False),
        sa.Column("relation", sa.String(32), nullable=False),
        sa.Column("path_sentence", sa.Text, nullable=False),
        sa.Column("final_grade", sa.String(1)),
        _ts("final_at", nullable=True),
        sa.Column("final_year", sa.Integer),
        sa.Column("pending_grade", sa.String(1)),
        _ts("pending_at", nullable=True),
        sa.PrimaryKeyConstraint("uscc", "parcel_id", name="pk_benefit_standings"),
    )
    op.create_index("ix_benefit_standings_parcel_id", "benefit_standings", ["parcel_id"])
    op.create_table(
        "entitlements",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("entitlement", sa.String(32), nullable=False),
        _ts("since"),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("grounds", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("uscc", "entitlement", name="pk_entitlements"),
    )
    op.create_index("ix_entitlements_entitlement", "entitlements", ["entitlement"])
    op.create_table(
        "benefit_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("entitlement", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("grounds", JSONB, nullable=False),
        sa.Column("parcel_id", sa.String(100), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("grade_status", sa.String(16), nullable=False),
        _ts("at"),
        sa.PrimaryKeyConstraint("id", name="pk_benefit_history"),
    )
    op.create_index("ix_benefit_history_uscc", "benefit_history", ["uscc"])

    op.create_table(
        "repairs",
        sa.Column("repair_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_ref", sa.String(100), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("evidence", JSONB, nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("applied_by", sa.String(200), nullable=False),
        _ts("applied_at"),
        sa.Column("decided_by", sa.String(200)),
        _ts("decided_at", nullable=True),
        sa.Column("decision_note", sa.Text),
        sa.PrimaryKeyConstraint("repair_id", name="pk_repairs"),
    )
    op.create_index("ix_repairs_subject_ref", "repairs", ["subject_ref"])
    op.create_table(
        "credit_reads",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("reader", sa.String(200), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("subject_ref", sa.String(100), nullable=False),
        sa.Column("unmasked", sa.Boolean, nullable=False),
        _ts("read_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_credit_reads"),
    )
    op.create_index("ix_credit_reads_subject_ref", "credit_reads", ["subject_ref"])


def downgrade() -> None:
    for table in ("credit_reads", "repairs", "benefit_history", "entitlements", "benefit_standings",
                  "grades", "equity_links", "responsible_persons", "enterprises", "ledger_anchors",
                  "ledger_head", "credit_records"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS credit_records_append_only()")
