"""Dynamic monitoring (动态监测): each filing's quarter, and each parcel-year's current warnings.

- `filing_quarters`: one row per filing (its latest revision), with the quarter it was filed for and
  the amounts attributed to the parcel, so a year can be read quarter by quarter.
- `parcel_warnings`: the current year's warnings of a parcel, one per measure, replaced after each
  filing (projections, never grades nor credit facts).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "filing_quarters",
        sa.Column("filing_id", sa.String(100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer()),
        sa.Column("output_value", sa.Numeric(20, 2), nullable=False),
        sa.Column("tax_paid", sa.Numeric(20, 2), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("filing_id", name=op.f("pk_filing_quarters")),
    )
    op.create_index("ix_filing_quarters_parcel_year", "filing_quarters", ["parcel_id", "year"])
    op.create_index("ix_filing_quarters_year", "filing_quarters", ["year"])
    op.create_table(
        "parcel_warnings",
        sa.Column("parcel_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("street", sa.String(64), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("at_risk_of", sa.String(1), nullable=False),
        sa.Column("low_per_ha", sa.Numeric(20, 2), nullable=False),
        sa.Column("point_per_ha", sa.Numeric(20, 2), nullable=False),
        sa.Column("high_per_ha", sa.Numeric(20, 2), nullable=False),
        sa.Column("threshold_per_ha", sa.Numeric(20, 2), nullable=False),
        sa.Column("pattern_source", sa.String(16), nullable=False),
        sa.Column("pattern_years", ARRAY(sa.Integer()), nullable=False),
        sa.Column("zh", sa.Text(), nullable=False),
        sa.Column("en", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("parcel_id", "year", "measure", name=op.f("pk_parcel_warnings")),
    )
    op.create_index("ix_parcel_warnings_year_street", "parcel_warnings", ["year", "street"])


def downgrade() -> None:
    op.drop_table("parcel_warnings")
    op.drop_table("filing_quarters")
