from __future__ import annotations

from decimal import Decimal as D

from evaluation.domain.attribution import (
    Filing,
    Occupancy,
    attribute,
    parcel_totals,
    yearly_filings,
)
from evaluation.domain.ruleset import OutputAggregation, UnattributedFiling

SPLIT = UnattributedFiling.ONLY_PARCEL_ELSE_SPLIT_BY_AREA


def filing(
    parcel_id: str | None = None,
    output: str = "100",
    tax: str = "10",
    quarter: int | None = None,
    uscc: str = "E1",
) -> Filing:
    return Filing("F", uscc, 2024, D(output), D(tax), parcel_id=parcel_id, quarter=quarter)


def test_a_filing_naming_its_parcel_counts_there() -> None:
    shares = attribute(filing("P2"), [Occupancy("E1", "P1", D(1))], SPLIT)
    assert [(s.parcel_id, s.output_value, s.split_by_area) for s in shares] == [("P2", D(100), False)]


def test_unnamed_filing_goes_to_the_only_parcel() -> None:
    shares = attribute(filing(), [Occupancy("E1", "P1", D(500))], SPLIT)
    assert [(s.parcel_id, s.tax_paid) for s in shares] == [("P1", D(10))]


def test_unnamed_filing_is_split_by_occupied_area_to_the_fen() -> None:
    occupancies = [Occupancy("E1", "P1", D(1)), Occupancy("E1", "P2", D(2))]
    shares = {s.parcel_id: s for s in attribute(filing(output="100", tax="1"), occupancies, SPLIT)}
    assert shares["P2"].output_value == D("66.67") and shares["P1"].output_value == D("33.33")
    assert shares["P1"].tax_paid + shares["P2"].tax_paid == D(1)
    assert all(s.split_by_area for s in shares.values())


def test_unnamed_filing_can_be_left_out_by_the_ruleset() -> None:
    occupancies = [Occupancy("E1", "P1", D(1)), Occupancy("E1", "P2", D(2))]
    assert attribute(filing(), occupancies, UnattributedFiling.ONLY_PARCEL_ELSE_IGNORE) == []


def test_parcel_sums_holder_and_approved_tenants_only() -> None:
    shares = [
        s
        for f in (
            filing("P1", "300", "30", uscc="H"),
            filing("P1", "200", "20", uscc="T"),
            filing("P1", "999", "99", uscc="ILLEGAL"),
        )
        for s in attribute(f, [], SPLIT)
    ]
    summed = parcel_totals(shares, "H", ["T"], OutputAggregation.SUM_HOLDER_AND_APPROVED_TENANTS)
    assert (summed.output_value, summed.tax_paid, summed.contributing_usccs) == (D(500), D(50), ("H", "T"))
    holder_only = parcel_totals(shares, "H", ["T"], OutputAggregation.HOLDER_ONLY)
    assert holder_only.output_value == D(300) and holder_only.has_filing
    assert not parcel_totals([], "H", [], OutputAggregation.HOLDER_ONLY).has_filing


def test_annual_filing_replaces_quarterly_ones() -> None:
    quarters = [filing("P1", "10", quarter=q) for q in (1, 2)]
    assert yearly_filings(quarters) == quarters
    annual = filing("P1", "50")
    assert yearly_filings([*quarters, annual]) == [annual]
