from datetime import date
from decimal import Decimal

import pytest

from landgrade_reference.jurisdictions import jurisdiction_from_text
from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.contracts import ContractedDeadline, ContractTerms, YearlyCommitment
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.parcels import FlagKind, Parcel, ParcelCategory, ParcelFlag

HOLDER = with_check_character("91110115MA0000001")


def parcel(**changes: object) -> Parcel:
    fields: dict[str, object] = {
        "parcel_id": "YZ-2024-001",
        "name": "Precision optics plant",
        "jurisdiction": "boxing",
        "area_m2": Decimal("25000"),
        "category": ParcelCategory.SELF_USE,
        "rights_holder": HOLDER,
    } | changes
    return Parcel(**fields)  # type: ignore[arg-type]


def fields_of(error: pytest.ExceptionInfo[DomainValidationError]) -> set[str]:
    return {e.field for e in error.value.errors}


def test_hectares_are_derived_from_square_metres() -> None:
    assert parcel(area_m2=Decimal("25000")).hectares == Decimal("2.5")


@pytest.mark.parametrize("area", [Decimal(0), Decimal("-1")])
def test_area_must_be_positive(area: Decimal) -> None:
    with pytest.raises(DomainValidationError) as raised:
        parcel(area_m2=area)
    assert fields_of(raised) == {"area_m2"}


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(DomainValidationError) as raised:
        parcel(jurisdiction="haidian", category="industrial", rights_holder="91110115MA00000010", name="")
    assert fields_of(raised) == {"jurisdiction", "category", "rights_holder", "name"}


def test_parcel_id_refuses_slashes_and_nul_bytes() -> None:
    for bad in ("YZ/001", "YZ\x00001", "YZ 001"):
        with pytest.raises(DomainValidationError):
            parcel(parcel_id=bad)


def test_rights_holder_is_normalised() -> None:
    assert parcel(rights_holder=HOLDER.lower()).rights_holder == HOLDER


def test_jurisdictions_are_found_by_chinese_or_english_name() -> None:
    assert jurisdiction_from_text("荣华街道").code == "ronghua"
    assert jurisdiction_from_text("亦庄地区").code == "yizhuang"
    assert jurisdiction_from_text("Majuqiao Town").code == "majuqiao"
    with pytest.raises(ValueError, match="not a street or town of E-Town"):
        jurisdiction_from_text("海淀区")


def test_flags_are_active_from_their_date_until_cleared() -> None:
    flag = ParcelFlag(FlagKind.LITIGATION, date(2024, 3, 1), "court:(2024)京0115民初1号", date(2024, 9, 1))
    p = parcel(flags=(flag,))
    assert p.active_flags(date(2024, 2, 28)) == ()
    assert p.active_flags(date(2024, 5, 1)) == (flag,)
    assert p.active_flags(date(2024, 9, 1)) == ()


def test_flag_cleared_before_it_started_is_refused() -> None:
    flag = ParcelFlag(FlagKind.ABANDONED, date(2024, 3, 1), "inspection:INS-1", date(2024, 1, 1))
    with pytest.raises(DomainValidationError) as raised:
        parcel(flags=(flag,))
    assert fields_of(raised) == {"flags[0].cleared_on"}


def test_commitment_for_a_year() -> None:
    early = YearlyCommitment(2022, Decimal("1000000"), Decimal("100000"), to_year=2024)
    later = YearlyCommitment(2025, Decimal("2000000"), Decimal("200000"))
    terms = ContractTerms(commitments=(later, early))
    assert terms.commitment_for(2021) is None
    assert terms.commitment_for(2023) == early
    assert terms.commitment_for(2030) == later


def test_overlapping_commitments_are_refused() -> None:
    with pytest.raises(DomainValidationError, match="overlaps"):
        ContractTerms(
            commitments=(
                YearlyCommitment(2022, Decimal(1), Decimal(1)),
                YearlyCommitment(2024, Decimal(2), Decimal(2)),
            )
        )


def test_commitments_must_be_whole_fen_and_not_negative() -> None:
    with pytest.raises(DomainValidationError) as raised:
        ContractTerms(commitments=(YearlyCommitment(2022, Decimal("-1"), Decimal("0.001")),))
    assert fields_of(raised) == {"commitments[0].output_value", "commitments[0].tax"}


def test_missed_deadlines() -> None:
    met_late = ContractedDeadline("production_start", date(2024, 6, 30), met_on=date(2024, 8, 1))
    pending = ContractedDeadline("completion", date(2025, 12, 31))
    overdue = ContractedDeadline("construction_start", date(2023, 1, 1))
    terms = ContractTerms(deadlines=(met_late, pending, overdue))
    assert terms.missed_deadlines(date(2025, 1, 1)) == (met_late, overdue)


def test_geometry_must_be_a_closed_polygon() -> None:
    ring = [[116.5, 39.8], [116.51, 39.8], [116.51, 39.81], [116.5, 39.8]]
    assert parcel(geometry={"type": "Polygon", "coordinates": [ring]}).geometry is not None
    with pytest.raises(DomainValidationError, match="end where it starts"):
        parcel(geometry={"type": "Polygon", "coordinates": [[*ring[:-1], [116.5, 39.9]]]})
    with pytest.raises(DomainValidationError, match="Polygon or MultiPolygon"):
        parcel(geometry={"type": "Point", "coordinates": [116.5, 39.8]})
