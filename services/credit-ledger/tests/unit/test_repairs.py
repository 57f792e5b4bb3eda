"""Credit repair and objection: an approved repair supersedes, never deletes."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from credit_ledger.domain.grades import GradeFact
from credit_ledger.domain.penetration import EnterpriseGraph, penetrate
from credit_ledger.domain.records import (
    CreditRecord,
    Polarity,
    RecordKind,
    disclosed,
    records_for_grade,
    superseded,
)
from credit_ledger.domain.repairs import (
    RepairApplication,
    RepairKind,
    RepairRefused,
    RepairStatus,
    approve,
    check_application,
)

MakeFact = Callable[..., GradeFact]
HOLDER, Y = "91110302HOLDER0001", "91110302YYYYYY0002"
GRAPH = EnterpriseGraph(responsible_persons={HOLDER: frozenset({"psn-7"}), Y: frozenset({"psn-7"})})
DECIDED = datetime(2025, 7, 1, tzinfo=UTC)


def d_records(make_fact: Callable[..., GradeFact]) -> list[CreditRecord]:
    return records_for_grade(make_fact("D", reasons=("in litigation",)), penetrate("P-0001", HOLDER, GRAPH))


def application(
    target: CreditRecord,
    subject: str | None = None,
    kind: RepairKind = RepairKind.REPAIR,
    evidence: tuple[str, ...] = ("court-ruling-2025-17.pdf",),
    status: RepairStatus = RepairStatus.PENDING,
) -> RepairApplication:
    return RepairApplication(
        repair_id="rep-1", kind=kind, subject_ref=subject or target.subject_ref, record_id=target.record_id,
        evidence=evidence, statement="the lawsuit was withdrawn", applied_at=DECIDED, status=status,
    )


def test_repairing_the_holders_record_supersedes_it_and_its_penetrated_records(make_fact: MakeFact) -> None:
    ledger = d_records(make_fact)
    holder_record = next(r for r in ledger if r.subject_ref == HOLDER)
    repairs = approve(application(holder_record), holder_record, ledger, set(), DECIDED, "lawsuit withdrawn")
    assert {r.supersedes for r in repairs} == {r.record_id for r in ledger}
    assert repairs[0].supersedes == holder_record.record_id
    assert all(r.kind is RecordKind.REPAIR and r.occurred_at == DECIDED for r in repairs)
    assert "credit repair rep-1 approved: lawsuit withdrawn" in repairs[0].reason
    after = ledger + repairs
    assert len(after) == 2 * len(ledger)  # the negative records are still in the ledger
    assert not [r for r in disclosed(after) if r.polarity is Polarity.NEGATIVE]
    assert set(superseded(after)) == {r.record_id for r in ledger}


def test_a_related_partys_repair_ends_only_its_own_record(make_fact: MakeFact) -> None:
    ledger = d_records(make_fact)
    y_record = next(r for r in ledger if r.subject_ref == Y)
    repairs = approve(application(y_record), y_record, ledger, set(), DECIDED)
    assert [r.supersedes for r in repairs] == [y_record.record_id]
    still_negative = {r.subject_ref for r in disclosed(ledger + repairs) if r.polarity is Polarity.NEGATIVE}
    assert still_negative == {HOLDER, "psn-7"}


def test_an_upheld_objection_is_labelled_as_such(make_fact: MakeFact) -> None:
    ledger = d_records(make_fact)
    repairs = approve(application(ledger[0], kind=RepairKind.OBJECTION), ledger[0], ledger, set(), DECIDED)
    assert repairs[0].reason.startswith("objection rep-1 approved")


def test_a_subject_cannot_apply_against_someone_elses_record(make_fact: MakeFact) -> None:
    ledger = d_records(make_fact)
    with pytest.raises(RepairRefused, match="own records"):
        check_application(application(ledger[0], subject=Y), ledger[0], set())


def test_positive_records_cannot_be_repaired(make_fact: MakeFact) -> None:
    a_record = records_for_grade(make_fact("A"), penetrate("P-0001", HOLDER, GRAPH))[0]
    with pytest.raises(RepairRefused, match="only negative"):
        check_application(application(a_record), a_record, set())


def test_evidence_is_required_and_a_record_is_repaired_once(make_fact: MakeFact) -> None:
    target = d_records(make_fact)[0]
    with pytest.raises(RepairRefused, match="evidence"):
        check_application(application(target, evidence=()), target, set())
    with pytest.raises(RepairRefused, match="already been superseded"):
        check_application(application(target), target, {target.record_id})
    with pytest.raises(RepairRefused, match="does not exist"):
        check_application(application(target), None, set())


def test_a_decided_application_cannot_be_approved_again(make_fact: MakeFact) -> None:
    target = d_records(make_fact)[0]
    with pytest.raises(RepairRefused, match="already rejected"):
        approve(application(target, status=RepairStatus.REJECTED), target, [target], set(), DECIDED)


def test_records_already_superseded_are_not_superseded_twice(make_fact: MakeFact) -> None:
    ledger = d_records(make_fact)
    holder_record = next(r for r in ledger if r.subject_ref == HOLDER)
    y_record = next(r for r in ledger if r.subject_ref == Y)
    repairs = approve(application(holder_record), holder_record, ledger, {y_record.record_id}, DECIDED)
    assert y_record.record_id not in {r.supersedes for r in repairs}
