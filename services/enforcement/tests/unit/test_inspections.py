from datetime import UTC, datetime, timedelta

import pytest

from enforcement.domain.errors import InvalidInput, OutsideJurisdiction
from enforcement.domain.inspections import (
    Finding,
    FindingType,
    HolderAttitude,
    Inspection,
    ensure_in_jurisdiction,
    new_inspection,
)

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
TENANT = "91350100M000100Y43"
LEASE = FindingType.UNAUTHORISED_LEASE


def inspect(*findings: Finding, **overrides: object) -> Inspection:
    fields: dict = {
        "inspection_id": "app-7:2024-06-01:001",
        "parcel_id": "P-0001",
        "inspected_at": NOW - timedelta(days=2),
        "inspector": "Wang Li",
        "findings": list(findings),
        "now": NOW,
    }
    fields.update(overrides)
    return new_inspection(**fields)


def problems(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def test_a_lease_finding_keeps_tenant_and_holder_attitude() -> None:
    refuses = HolderAttitude.REFUSES_TO_CORRECT
    found = inspect(Finding(LEASE, refuses, TENANT.lower(), "  sublet to a logistics firm "))
    assert found.findings == (Finding(LEASE, refuses, TENANT, "sublet to a logistics firm"),)
    assert found.violations == found.findings


def test_a_lease_finding_without_tenant_uscc_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(LEASE))
    assert "findings[0].tenant_uscc" in problems(exc)


def test_a_tenant_uscc_with_a_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(LEASE, tenant_uscc="91350100M000100Y44"))
    assert "check character" in problems(exc)["findings[0].tenant_uscc"]


def test_an_inspection_needs_at_least_one_finding() -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect()
    assert "findings" in problems(exc)


@pytest.mark.parametrize("standalone", [FindingType.NO_ISSUE, FindingType.RECTIFIED])
def test_no_issue_and_rectified_cannot_be_mixed_with_violations(standalone: FindingType) -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(standalone), Finding(FindingType.ABANDONED))
    assert "findings[0].type" in problems(exc)


def test_holder_attitude_does_not_apply_to_a_clean_visit() -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(FindingType.NO_ISSUE, HolderAttitude.COOPERATING_WITH_RENEWAL))
    assert "findings[0].holder_attitude" in problems(exc)


def test_leases_to_several_tenants_are_separate_findings_but_one_tenant_only_once() -> None:
    other = "91110302MA01XXXX18"
    assert len(inspect(Finding(LEASE, tenant_uscc=TENANT), Finding(LEASE, tenant_uscc=other)).findings) == 2
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(LEASE, tenant_uscc=TENANT), Finding(LEASE, tenant_uscc=TENANT.lower()))
    assert TENANT in problems(exc)["findings"]


def test_other_finding_types_are_reported_once() -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(FindingType.ILLEGAL_CONSTRUCTION), Finding(FindingType.ILLEGAL_CONSTRUCTION))
    assert "findings[1].type" in problems(exc)


@pytest.mark.parametrize(
    "when", [NOW + timedelta(hours=1), datetime(2024, 5, 30, 9, 0)], ids=["future", "no-timezone"]
)
def test_inspection_time_must_be_past_and_zoned(when: datetime) -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(FindingType.NO_ISSUE), inspected_at=when)
    assert "inspected_at" in problems(exc)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(LEASE), inspection_id="", parcel_id=" ", inspector="")
    assert set(problems(exc)) == {"inspection_id", "parcel_id", "inspector", "findings[0].tenant_uscc"}


def test_a_resent_inspection_equals_the_first_and_a_changed_one_does_not() -> None:
    first = inspect(Finding(FindingType.ABANDONED, note="cranes gone since March"))
    assert inspect(Finding(FindingType.ABANDONED, note="cranes gone since March ")) == first
    assert inspect(Finding(FindingType.ABANDONED, note="cranes gone since April")) != first


def test_a_street_office_reports_only_on_parcels_in_its_own_street() -> None:
    ensure_in_jurisdiction("ronghua", "P-0001", "荣华街道")
    with pytest.raises(OutsideJurisdiction):
        ensure_in_jurisdiction("boxing", "P-0001", "荣华街道")
    with pytest.raises(OutsideJurisdiction):
        ensure_in_jurisdiction(None, "P-0001", "荣华街道")
    with pytest.raises(OutsideJurisdiction):
        ensure_in_jurisdiction("ronghua", "P-0002", None)


def test_a_tenant_uscc_is_stored_as_parse_uscc_normalises_it_whatever_its_spelling() -> None:
    full_width = "９１３５０１００Ｍ０００１００Ｙ４３"
    found = inspect(Finding(LEASE, tenant_uscc="9135 0100-m000100y43"))
    assert found.findings[0].tenant_uscc == TENANT
    with pytest.raises(InvalidInput) as exc:
        inspect(Finding(LEASE, tenant_uscc=TENANT), Finding(LEASE, tenant_uscc=full_width))
    assert TENANT in problems(exc)["findings"]
