from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.attribution import (
    Holding,
    Method,
    Occupancy,
    OccupancyBasis,
    ShareStatus,
    attribute,
    occupancies,
    split_exactly,
)
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.leases import Lease, LeaseApproval
from parcel_registry.domain.parcels import Parcel, ParcelCategory

HOLDER, TENANT, STRANGER = (with_check_character(f"91110115MA000000{n}") for n in (1, 2, 3))
APPROVAL = LeaseApproval("京技管批〔2023〕7号", date(2023, 1, 5))


def parcel(pid: str, area: int, holder: str = HOLDER) -> Parcel:
    return Parcel(pid, pid, "boxing", Decimal(area), ParcelCategory.APPROVED_PARK, holder)


def filing(output: str, tax: str = "0", **kw: object) -> RevenueFiling:
    return RevenueFiling("F-1", kw.pop("uscc", HOLDER), 2024, Decimal(output), Decimal(tax), **kw)  # type: ignore[arg-type]


PARCELS = [parcel("P1", 10000), parcel("P2", 20000), parcel("P3", 5000, TENANT)]


def test_holdings_read_alone_occupy_as_whole_parcels_do() -> None:
    leases = [Lease("L1", "P1", TENANT, Decimal(3000), date(2023, 1, 1), approval=APPROVAL)]
    holdings = [Holding(p.parcel_id, p.area_m2, p.rights_holder) for p in PARCELS]
    for uscc in (HOLDER, TENANT, STRANGER):
        assert occupancies(uscc, 2024, holdings, leases) == occupancies(uscc, 2024, PARCELS, leases)


def test_holder_occupies_its_parcels_and_tenant_its_approved_leases() -> None:
    leases = [
        Lease("L1", "P1", TENANT, Decimal(3000), date(2023, 1, 1), approval=APPROVAL),
        Lease("L2", "P2", TENANT, Decimal(500), date(2023, 1, 1)),  # unauthorised: not occupancy
        Lease("L3", "P2", TENANT, Decimal(500), date(2020, 1, 1), date(2023, 12, 31), approval=APPROVAL),
    ]
    assert occupancies(HOLDER, 2024, PARCELS, leases) == [
        Occupancy("P1", Decimal(10000), OccupancyBasis.RIGHTS_HOLDER),
        Occupancy("P2", Decimal(20000), OccupancyBasis.RIGHTS_HOLDER),
    ]
    assert occupancies(TENANT, 2024, PARCELS, leases) == [
        Occupancy("P1", Decimal(3000), OccupancyBasis.APPROVED_TENANT),
        Occupancy("P3", Decimal(5000), OccupancyBasis.RIGHTS_HOLDER),
    ]
    assert [o.parcel_id for o in occupancies(TENANT, 2023, PARCELS, leases)] == ["P1", "P2", "P3"]


def test_filing_naming_an_occupied_parcel_goes_there() -> None:
    result = attribute(filing("900", parcel_id="P2"), occupancies(HOLDER, 2024, PARCELS, []))
    assert result.method is Method.NAMED_PARCEL
    assert [(s.parcel_id, s.output_value, s.status) for s in result.shares] == [
        ("P2", Decimal(900), ShareStatus.COUNTED)
    ]
    assert result.suspected_occupant is None


def test_filing_naming_a_parcel_the_enterprise_does_not_lawfully_occupy_is_a_suspected_occupant() -> None:
    leases = [Lease("L2", "P2", STRANGER, Decimal(500), date(2023, 1, 1))]  # unauthorised lease
    result = attribute(filing("900", uscc=STRANGER, parcel_id="P2"), occupancies(STRANGER, 2024, PARCELS, leases))
    assert result.suspected_occupant is not None
    assert result.suspected_occupant.parcel_id == "P2" and result.suspected_occupant.basis is None


def test_filing_without_parcel_goes_to_the_only_parcel() -> None:
    result = attribute(filing("900", "90", uscc=TENANT), [Occupancy("P3", Decimal(5000), OccupancyBasis.RIGHTS_HOLDER)])
    assert result.method is Method.ONLY_PARCEL
    assert [(s.parcel_id, s.output_value, s.tax_paid) for s in result.shares] == [("P3", Decimal(900), Decimal(90))]


def test_filing_without_parcel_is_split_by_occupied_area() -> None:
    result = attribute(filing("100.00", "0.01"), occupancies(HOLDER, 2024, PARCELS, []))
    assert result.method is Method.SPLIT_BY_AREA
    assert [(s.parcel_id, s.output_value, s.tax_paid) for s in result.shares] == [
        ("P1", Decimal("33.33"), Decimal("0.00")),
        ("P2", Decimal("66.67"), Decimal("0.01")),
    ]


def test_enterprise_without_parcel_gets_nothing_attributed() -> None:
    result = attribute(filing("100", uscc=STRANGER), [])
    assert result.method is Method.NO_PARCEL and result.shares == ()


def test_three_equal_parts_of_a_fen_amount_sum_exactly() -> None:
    parts = split_exactly(Decimal("100.00"), [Decimal(1)] * 3)
    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_split_refuses_zero_weights() -> None:
    with pytest.raises(ValueError):
        split_exactly(Decimal(1), [Decimal(1), Decimal(0)])


@given(
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.lists(st.decimals(min_value="0.01", max_value=10**7, places=2), min_size=1, max_size=12),
)
def test_split_parts_always_sum_to_the_amount_and_follow_the_areas(amount: Decimal, areas: list[Decimal]) -> None:
    parts = split_exactly(amount, areas)
    assert sum(parts) == amount
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in parts)
    total = sum(areas)
    for part, area in zip(parts, areas, strict=True):
        assert abs(part - amount * area / total) < Decimal("0.01")
