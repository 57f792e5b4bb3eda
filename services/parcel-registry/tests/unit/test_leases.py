from datetime import date
from decimal import Decimal

import pytest

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.leases import Lease, LeaseApproval, approval_from_fields, lease_problems_on
from parcel_registry.domain.parcels import Parcel, ParcelCategory

HOLDER = with_check_character("91110115MA0000001")
TENANT = with_check_character("91110115MA0000002")
PARCEL = Parcel("P1", "Park", "ronghua", Decimal(1000), ParcelCategory.APPROVED_PARK, HOLDER)


def lease(lease_id: str = "L1", area: str = "400", start: date = date(2024, 1, 1), **kw: object) -> Lease:
    return Lease(lease_id, "P1", TENANT, Decimal(area), start, **kw)  # type: ignore[arg-type]


def test_a_lease_without_approval_is_unauthorised() -> None:
    assert lease().is_unauthorised
    approved = lease(approval=LeaseApproval("京技管批〔2024〕12号", date(2023, 12, 1)))
    assert approved.approved and not approved.is_unauthorised


def test_approval_fields_must_agree() -> None:
    assert approval_from_fields(False, None, None) is None
    assert approval_from_fields(True, "A-1", date(2024, 1, 1)) == LeaseApproval("A-1", date(2024, 1, 1))
    with pytest.raises(DomainValidationError) as raised:
        approval_from_fields(True, None, None)
    assert {e.field for e in raised.value.errors} == {"approval_reference", "approval_date"}
    with pytest.raises(DomainValidationError, match="approved is false"):
        approval_from_fields(False, "A-1", None)


def test_lease_period_and_area_rules() -> None:
    with pytest.raises(DomainValidationError, match="ends_on"):
        lease(ends_on=date(2023, 12, 31))
    with pytest.raises(DomainValidationError, match="area_m2"):
        lease(area="0")


def test_years_a_lease_overlaps() -> None:
    short = lease(start=date(2023, 11, 1), ends_on=date(2024, 1, 31))
    assert [y for y in range(2022, 2026) if short.overlaps_year(y)] == [2023, 2024]
    assert lease(start=date(2024, 6, 1)).overlaps_year(2030)


def test_holder_cannot_be_its_own_tenant() -> None:
    own = Lease("L9", "P1", HOLDER, Decimal(10), date(2024, 1, 1))
    assert [e.field for e in lease_problems_on(own, PARCEL)] == ["tenant"]


def test_leases_at_one_time_cannot_let_more_than_the_parcel() -> None:
    first_half = lease("A", "600", date(2024, 1, 1), ends_on=date(2024, 6, 30))
    second_half = lease("B", "600", date(2024, 7, 1), ends_on=date(2024, 12, 31))
    whole_year = lease("C", "300", date(2024, 1, 1), ends_on=date(2024, 12, 31))
    assert lease_problems_on(whole_year, PARCEL, (first_half, second_half)) == []
    too_big = lease("D", "401", date(2024, 1, 1), ends_on=date(2024, 12, 31))
    assert [e.field for e in lease_problems_on(too_big, PARCEL, (first_half, second_half))] == ["area_m2"]


def test_replacing_a_lease_does_not_count_it_twice() -> None:
    current = lease("A", "900")
    assert lease_problems_on(lease("A", "950"), PARCEL, (current,)) == []


def test_lease_larger_than_the_parcel() -> None:
    assert "exceeds the parcel's area" in lease_problems_on(lease(area="1000.5"), PARCEL)[0].reason
