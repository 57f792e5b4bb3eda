"""The land ledger: parcels, leases, enterprises, responsible persons, shareholdings, revenue
filings with their attributions, and suspected occupants.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 2)
AREA = sa.Numeric(18, 4)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.create_table(
        "parcels",
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("address", sa.String(300), nullable=False, server_default=""),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("area_m2", AREA, nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("rights_holder", sa.String(18), nullable=False),
        sa.Column("geometry", pg.JSONB()),
        sa.Column("commitments", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("deadlines", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("flags", pg.JSONB(), nullable=False, server_default="[]"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_stamps(),
        sa.PrimaryKeyConstraint("parcel_id", name="pk_parcels"),
    )
    for column in ("jurisdiction", "category", "rights_holder"):
        op.create_index(f"ix_parcels_{column}", "parcels", [column])

    op.create_table(
        "leases",
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("lease_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(18), nullable=False),
        sa.Column("area_m2", AREA, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("approval_reference", sa.String(100)),
        sa.Column("approval_date", sa.Date),
        sa.Column("equity_linked", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_stamps(),
        sa.PrimaryKeyConstraint("parcel_id", "lease_id", name="pk_leases"),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.parcel_id"], name="fk_leases_parcel_id_parcels"),
    )
    op.create_index("ix_leases_tenant", "leases", ["tenant"])

    op.create_table(
        "enterprises",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        *_stamps(),
        sa.PrimaryKeyConstraint("uscc", name="pk_enterprises"),
    )
    op.create_table(
        "responsible_persons",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("id_ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False),
        sa.Column("id_masked", sa.String(18), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "position", name="pk_responsible_persons"),
        sa.ForeignKeyConstraint(
            ["uscc"], ["enterprises.uscc"], name="fk_responsible_persons_uscc_enterprises", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_responsible_persons_person_ref", "responsible_persons", ["person_ref"])
    op.create_table(
        "shareholdings",
        sa.Column("company", sa.String(18), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("share_pct", sa.Numeric(9, 4), nullable=False),
        sa.Column("holder_uscc", sa.String(18)),
        sa.Column("person_ref", sa.String(64)),
        sa.Column("id_ciphertext", sa.LargeBinary),
        sa.Column("id_masked", sa.String(18)),
        sa.PrimaryKeyConstraint("company", "position", name="pk_shareholdings"),
        sa.ForeignKeyConstraint(
            ["company"], ["enterprises.uscc"], name="fk_shareholdings_company_enterprises", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_shareholdings_holder_uscc", "shareholdings", ["holder_uscc"])
    op.create_index("ix_shareholdings_person_ref", "shareholdings", ["person_ref"])

    op.create_table(
        "revenue_filings",
        sa.Column("filing_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("parcel_id", sa.String(64)),
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("quarter", sa.SmallInteger),
        sa.Column("output_value", MONEY, nullable=False),
        sa.Column("tax_paid", MONEY, nullable=False),
        sa.Column("attribution_method", sa.String(24), nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("received_by", sa.String(200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("filing_id", "revision", name="pk_revenue_filings"),
    )
    op.create_index(
        "ix_revenue_filings_current_uscc_year",
        "revenue_filings",
        ["uscc", "year"],
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "filing_attributions",
        sa.Column("filing_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("quarter", sa.SmallInteger),
        sa.Column("output_value", MONEY, nullable=False),
        sa.Column("tax_paid", MONEY, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("basis", sa.String(24)),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("filing_id", "revision", "parcel_id", name="pk_filing_attributions"),
        sa.ForeignKeyConstraint(
            ["filing_id", "revision"],
            ["revenue_filings.filing_id", "revenue_filings.revision"],
            name="fk_filing_attributions_filing_id_revenue_filings",
        ),
    )
    op.create_index(
        "ix_filing_attributions_current_parcel_year",
        "filing_attributions",
        ["parcel_id", "year"],
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "suspected_occupants",
        sa.Column("filing_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("filing_id", "revision", "parcel_id", name="pk_suspected_occupants"),
    )
    op.create_index("ix_suspected_occupants_parcel_id", "suspected_occupants", ["parcel_id"])


def downgrade() -> None:
    for table in (
        "suspected_occupants",
        "filing_attributions",
        "revenue_filings",
        "shareholdings",
        "responsible_persons",
        "enterprises",
        "leases",
        "parcels",
    ):
        op.drop_table(table)
