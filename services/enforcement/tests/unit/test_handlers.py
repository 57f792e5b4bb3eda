"""The service-layer handlers and queries against a FakeUnitOfWork: in-memory repositories with the
attributes of the real ones, an outbox that records what was emitted, and a transaction that
restores the state it found when the handler fails (what a rollback leaves)."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.domain.case_decisions import GradeOrder
from enforcement.domain.case_states import CaseKind, CaseState
from enforcement.domain.cases import Case, CaseFilter
from enforcement.domain.due_periods import DuePolicy
from enforcement.domain.errors import EvidenceRejected, IllegalTransition, InvalidInput, OutsideJurisdiction
from enforcement.domain.evidence import Evidence, EvidencePolicy
from enforcement.domain.inspections import (
    Finding,
    FindingType,
    HolderAttitude,
    Inspection,
    InspectionRecord,
    new_inspection,
)
from enforcement.domain.local_time import local_date
from enforcement.domain.notices import Notice, NoticeKind, TaskNoticePolicy
from enforcement.domain.paging import Cursor
from enforcement.domain.pending import PendingInspection, PendingStatus
from enforcement.domain.projections import InspectionTask, LeaseApproval, ParcelView, SuspicionReport
from enforcement.domain.task_brief import brief
from enforcement.service_layer.cases import TransitionRequest, flag_overdue_cases, on_parcel_graded, transition_case
from enforcement.service_layer.context import Caller
from enforcement.service_layer.errors import Conflict, NotFound
from enforcement.service_layer.inspections import (
    EvidenceUpload,
    add_evidence,
    expire_pending_inspections,
    record_inspection,
)
from enforcement.service_layer.projections import on_lease_changed, on_parcel_changed, on_suspected_occupant
from enforcement.service_layer.queries import (
    evidence_content,
    get_case,
    get_inspection,
    inspection_or_pending,
    list_cases,
    list_tasks,
)
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_events import enforcement as contract
from landgrade_events.evaluation import Metrics, ParcelGraded, Reason
from landgrade_events.registry import LeaseChanged, ParcelChanged, SuspectedOccupant
from landgrade_reference.jurisdictions import canonical_jurisdiction
from servicekit.events import CloudEvent, EventData
from servicekit.inbox import Delivery, Received

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
RONGHUA, BOXING = "荣华街道", "博兴街道"
HOLDER = "91110302MA00000001"
TENANT = "91350100M000100Y43"
STAFF = Caller("officer-zhao", unrestricted=True)
RONGHUA_APP = Caller("ronghua-app", jurisdiction="Ronghua")
BOXING_APP = Caller("boxing-app", jurisdiction=BOXING)
JPEG = (b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"  # SOI, SOF0 1x1
        b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\x34\xff\xd9")  # SOS, scan data, EOI


# --- fakes -----------------------------------------------------------------------------------


class FakeCaseRepository:
    """Cases as the database keeps them: a loaded case is a copy, changed only by `save`."""

    def __init__(self) -> None:
        self.rows: dict[str, Case] = {}

    def _copy(self, case: Case) -> Case:
        return dataclasses.replace(copy.deepcopy(case), events=[])

    async def get(self, case_id: str, *, for_update: bool = False) -> Case | None:
        case = self.rows.get(case_id)
        return None if case is None else self._copy(case)

    async def open_for_parcel(self, parcel_id: str) -> list[Case]:
        return (await self.open_for_parcels([parcel_id])).get(parcel_id, [])

    async def open_for_parcels(self, parcel_ids: list[str]) -> dict[str, list[Case]]:
        found: dict[str, list[Case]] = {}
        for case in sorted(self.rows.values(), key=lambda c: (c.parcel_id, c.opened_at)):
            if case.parcel_id in parcel_ids and case.is_open:
                found.setdefault(case.parcel_id, []).append(self._copy(case))
        return found

    async def due_for_overdue_notice(self, today: date, limit: int) -> list[Case]:
        due = [c for c in self.rows.values() if c.is_open and c.due_date is not None and c.due_date < today
               and c.overdue_flagged_for != c.due_date]
        return [self._copy(c) for c in sorted(due, key=lambda c: c.due_date or today)[:limit]]

    async def add(self, case: Case) -> bool:
        if any(c.is_open and (c.parcel_id, c.kind) == (case.parcel_id, case.kind) for c in self.rows.values()):
            return False
        self.rows[case.case_id] = self._copy(case)
        return True

    async def save(self, case: Case) -> None:
        assert case.case_id in self.rows
        self.rows[case.case_id] = self._copy(case)

    async def page(self, f: CaseFilter, today: date, limit: int, offset: int,
                   after: Cursor | None = None) -> tuple[list[Case], int]:
        def matches(c: Case) -> bool:
            overdue = c.is_open and c.due_date is not None and c.due_date < today
            return ((not f.kind or c.kind == f.kind) and (not f.state or c.state == f.state)
                    and (not f.parcel_id or c.parcel_id == f.parcel_id)
                    and all(not area or canonical_jurisdiction(c.street or "") == canonical_jurisdiction(area)
                            for area in (f.street, f.jurisdiction))
                    and (f.overdue is None or overdue == f.overdue))

        found = sorted(sorted(filter(matches, self.rows.values()), key=lambda c: c.case_id),
                       key=lambda c: c.opened_at, reverse=True)  # newest first, then by id
        rest = [c for c in found if after is None or c.opened_at < after.at
                or (c.opened_at == after.at and c.case_id > after.key)]
        return [self._copy(c) for c in rest[offset:offset + limit]], len(found)


class FakeInspectionRepository:
    def __init__(self) -> None:
        self.rows: dict[str, InspectionRecord] = {}
        self.waiting: dict[str, PendingInspection] = {}

    async def add_pending(self, pending: PendingInspection) -> bool:
        if pending.inspection.inspection_id in self.waiting:
            return False
        self.waiting[pending.inspection.inspection_id] = pending
        return True

    async def pending(self, inspection_id: str) -> PendingInspection | None:
        return self.waiting.get(inspection_id)

    async def pending_for(self, parcel_ids: list[str]) -> list[PendingInspection]:
        return sorted((p for p in self.waiting.values() if p.inspection.parcel_id in parcel_ids
                       and p.status is PendingStatus.PENDING), key=lambda p: p.received_at)

    async def recorded_pending(self, inspection_id: str) -> None:
        del self.waiting[inspection_id]

    async def renew_pending(self, pending: PendingInspection) -> None:
        self.waiting[pending.inspection.inspection_id] = pending

    async def expire_pending(self, received_before: datetime, reason: str) -> int:
        due = [k for k, p in self.waiting.items() if p.status is PendingStatus.PENDING
               and p.received_at < received_before]
        for k in due:
            self.waiting[k] = dataclasses.replace(self.waiting[k], status=PendingStatus.EXPIRED, refusal=reason)
        return len(due)

    async def refuse_pending(self, inspection_id: str, refusal: str) -> None:
        self.waiting[inspection_id] = dataclasses.replace(self.waiting[inspection_id],
                                                          status=PendingStatus.REFUSED, refusal=refusal)

    async def add(self, inspection: Inspection, *, street: str, submitted_by: str, recorded_at: datetime) -> bool:
        if inspection.inspection_id in self.rows:
            return False
        self.rows[inspection.inspection_id] = InspectionRecord(inspection, street, submitted_by, recorded_at)
        return True

    async def get(self, inspection_id: str, *, for_update: bool = False) -> InspectionRecord | None:
        return self.rows.get(inspection_id)

    async def evidence_of(self, inspection_id: str) -> list[Evidence]:
        return list(self.rows[inspection_id].evidence)

    async def add_evidence(self, item: Evidence) -> Evidence:
        record = self.rows[item.inspection_id]
        earlier = next((e for e in record.evidence if e.sha256 == item.sha256), None)
        if earlier is not None:
            return earlier
        self.rows[item.inspection_id] = dataclasses.replace(record, evidence=(*record.evidence, item))
        return item


class FakeProjectionRepository:
    def __init__(self) -> None:
        self.parcels: dict[str, tuple[ParcelView, int]] = {}
        self.grades: dict[str, dict[str, Any]] = {}
        self.open_tasks: list[InspectionTask] = []

    async def lock_parcels(self, parcel_ids: list[str]) -> None:
        pass  # one in-memory "database" with no concurrent transaction to order against

    async def upsert_parcel(self, parcel: ParcelView, version: int, at: datetime) -> None:
        kept = self.parcels.get(parcel.parcel_id)
        if kept is None or kept[1] <= version:
            self.parcels[parcel.parcel_id] = (parcel, version)

    async def parcel(self, parcel_id: str) -> ParcelView | None:
        kept = self.parcels.get(parcel_id)
        return None if kept is None else kept[0]

    async def last_graded(self, parcel_ids: list[str]) -> dict[str, GradeOrder]:
        return {p: _order(self.grades[p]) for p in parcel_ids if p in self.grades}

    async def record_grades(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            kept = self.grades.get(row["parcel_id"])
            if kept is None or _order(kept) <= _order(row):
                self.grades[row["parcel_id"]] = row

    async def report_suspicion(self, report: SuspicionReport) -> str:
        for n, task in enumerate(self.open_tasks):
            if (task.parcel_id, task.suspected_uscc, task.status) == (report.parcel_id, report.suspected_uscc, "open"):
                self.open_tasks[n] = dataclasses.replace(
                    task, reports=task.reports + 1, reason=report.reason, filing_id=report.filing_id,
                    lease_id=report.lease_id, year=report.year, last_reported_at=report.reported_at)
                return task.task_id
        self.open_tasks.append(InspectionTask(
            report.task_id, report.parcel_id, report.street, report.suspected_uscc, report.reason, report.filing_id,
            report.year, 1, "open", report.reported_at, report.reported_at, None, None, report.lease_id))
        return report.task_id

    async def task(self, task_id: str) -> InspectionTask | None:
        task = next((t for t in self.open_tasks if t.task_id == task_id), None)
        parcel = self.parcels.get(task.parcel_id) if task else None
        if task is None or parcel is None:
            return task
        view = parcel[0]
        return dataclasses.replace(task, parcel_name=view.name, parcel_address=view.address,
                                   holder_uscc=view.holder_uscc, holder_name=view.holder_name)


    async def open_task(self, parcel_id: str, suspected_uscc: str) -> InspectionTask | None:
        return next((t for t in self.open_tasks if (t.parcel_id, t.suspected_uscc, t.status) == (
            parcel_id, suspected_uscc, "open")), None)

    async def withdraw_task(self, task_id: str, approval: LeaseApproval, at: datetime) -> bool:
        for n, task in enumerate(self.open_tasks):
            if task.task_id == task_id and task.status == "open":
                self.open_tasks[n] = dataclasses.replace(
                    task, status="withdrawn", done_at=at, approval_lease_id=approval.lease_id,
                    approval_ref=approval.approval_ref, approval_date=approval.approval_date)
                return True
        return False

    async def complete_tasks(self, parcel_id: str, inspection_id: str, at: datetime) -> int:
        done = 0
        for n, task in enumerate(self.open_tasks):
            if task.parcel_id == parcel_id and task.status == "open":
                self.open_tasks[n] = dataclasses.replace(task, status="done", done_at=at,
                                                         done_by_inspection_id=inspection_id)
                done += 1
        return done

    async def tasks(self, *, street: str | None, status: str | None, limit: int, offset: int,
                    after: Cursor | None = None) -> tuple[list[InspectionTask], int]:
        found = sorted((t for t in self.open_tasks if (not street or canonical_jurisdiction(t.street)
                                                       == canonical_jurisdiction(street))
                        and (not status or t.status == status)), key=lambda t: (t.created_at, t.task_id))
        rest = [t for t in found if after is None or (t.created_at, t.task_id) > (after.at, after.key)]
        return rest[offset:offset + limit], len(found)


class FakeNoticeRepository:
    def __init__(self) -> None:
        self.kept: dict[str, Notice] = {}

    async def add(self, written: list[Notice]) -> None:
        for notice in written:
            self.kept.setdefault(notice.notice_id, notice)


class FakeUnitOfWork(EnforcementUnitOfWork):
    """One in-memory "database" shared by every transaction made from it; `emitted` is the outbox."""

    def __init__(self, clock: Any = None, *, cases_from_provisional_grades: bool = True) -> None:
        self.clock = clock or (lambda: T0)
        self.due_policy = DuePolicy.from_days()
        self.cases_from_provisional_grades = cases_from_provisional_grades
        self.cases = FakeCaseRepository()  # type: ignore[assignment]
        self.inspections = FakeInspectionRepository()  # type: ignore[assignment]
        self.projections = FakeProjectionRepository()  # type: ignore[assignment]
        self.notices = FakeNoticeRepository()  # type: ignore[assignment]
        self.task_notices = TaskNoticePolicy()
        self.emitted: list[EventData] = []
        self.commits = 0
        self._snapshot: tuple[Any, ...] | None = None

    def _state(self) -> tuple[Any, ...]:
        return copy.deepcopy((self.cases, self.inspections, self.projections, self.notices, self.emitted))

    async def __aenter__(self) -> Self:
        self._snapshot = self._state()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        snapshot, self._snapshot = self._snapshot, None
        if error is None:
            self.commits += 1
        elif snapshot is not None:
            self.cases, self.inspections, self.projections, self.notices, self.emitted = snapshot

    async def emit(self, *events: EventData) -> list[str]:
        assert self._snapshot is not None, "events are emitted inside `async with uow:`"
        self.emitted.extend(events)
        return [str(uuid.uuid4()) for _ in events]

    def of(self, kind: type[EventData]) -> list[Any]:
        return [e for e in self.emitted if isinstance(e, kind)]


@dataclasses.dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def received(*events: EventData) -> list[Received[Any]]:
    return [Received(e, Delivery(CloudEvent.wrap(e, "test"), None)) for e in events]


def graded(parcel: str, grade: str, minutes: int = 0, *, status: str = "final", street: str = RONGHUA) -> ParcelGraded:
    return ParcelGraded(
        evaluation_id=str(uuid.uuid4()), parcel_id=parcel, holder_uscc=HOLDER, street=street, year=2024,
        grade=grade, status=status, reasons=[Reason(clause="D1", code="x", text_zh="测试", text_en=f"graded {grade}")],
        metrics=Metrics(area_ha=Decimal(2), output_value=Decimal(0), tax_paid=Decimal(0), output_per_ha=Decimal(0),
                        tax_per_ha=Decimal(0)),
        ruleset_id="etown-2024-draft", evaluated_at=T0 + timedelta(minutes=minutes))


def parcel_changed(parcel: str, street: str = RONGHUA, version: int = 1) -> ParcelChanged:
    return ParcelChanged(parcel_id=parcel, name="Test works", street=street, category="self_use",
                         area_m2=Decimal("20000"), holder_uscc=HOLDER, version=version)


def suspicion(parcel: str, filing: str = "F-1") -> SuspectedOccupant:
    return SuspectedOccupant(parcel_id=parcel, street=RONGHUA, uscc=TENANT, filing_id=filing, year=2024,
                             reason="files revenue on the parcel without an approved lease")


def an_inspection(parcel: str, *findings: Finding, inspection_id: str = "insp-1") -> Inspection:
    return new_inspection(inspection_id=inspection_id, parcel_id=parcel, inspected_at=T0 - timedelta(hours=2),
                          inspector="Wang Li", now=T0,
                          findings=list(findings) or [Finding(FindingType.ABANDONED, note="cranes gone")])


async def open_cases(uow: FakeUnitOfWork, parcel: str) -> list[Case]:
    return await uow.cases.open_for_parcel(parcel)


# --- grade events ----------------------------------------------------------------------------


async def test_a_d_grade_opens_one_enforcement_case_however_often_it_comes() -> None:
    uow = FakeUnitOfWork()
    await on_parcel_graded(uow, received(graded("P-1", "D", 1), graded("P-1", "D", 2)))
    await on_parcel_graded(uow, received(graded("P-1", "D", 3)))
    [case] = await open_cases(uow, "P-1")
    assert (case.kind, case.state, case.street, case.holder_uscc) == (CaseKind.ENFORCEMENT, CaseState.OPENED,
                                                                      RONGHUA, HOLDER)
    assert case.due_date == local_date(T0) + timedelta(days=10)
    [opened] = uow.of(contract.CaseChanged)
    assert (opened.case_id, opened.state, opened.actor) == (case.case_id, "opened", "system:evaluation")
    assert uow.projections.grades["P-1"]["evaluated_at"] == T0 + timedelta(minutes=3)


async def test_a_grade_leaving_d_closes_the_case_and_c_opens_renewal_guidance() -> None:
    uow = FakeUnitOfWork()
    await on_parcel_graded(uow, received(graded("P-1", "D", 1)))
    [enforcement] = await open_cases(uow, "P-1")
    await on_parcel_graded(uow, received(graded("P-1", "C", 2)))
    [guidance] = await open_cases(uow, "P-1")
    assert guidance.kind is CaseKind.RENEWAL_GUIDANCE
    closed = await uow.cases.get(enforcement.case_id)
    assert closed is not None and closed.state is CaseState.CLOSED
    assert closed.timeline[-1].reason == "parcel re-graded C, no longer D"
    assert [(e.kind, e.state) for e in uow.of(contract.CaseChanged)] == [
        ("enforcement", "opened"), ("enforcement", "closed"), ("renewal_guidance", "opened")]


async def test_an_older_grade_than_the_last_one_acted_on_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    await on_parcel_graded(uow, received(graded("P-1", "D", 5)))
    await on_parcel_graded(uow, received(graded("P-1", "A", 1)))
    assert len(await open_cases(uow, "P-1")) == 1 and len(uow.emitted) == 1
    assert uow.projections.grades["P-1"]["grade"] == "D"


async def test_provisional_grades_open_no_case_when_the_setting_is_off() -> None:
    uow = FakeUnitOfWork(cases_from_provisional_grades=False)
    await on_parcel_graded(uow, received(graded("P-1", "D", status="provisional")))
    assert await open_cases(uow, "P-1") == [] and uow.emitted == [] and uow.projections.grades == {}


async def test_a_run_of_grades_at_once_leaves_what_one_by_one_leaves() -> None:
    run = [graded("P-1", "D", 1), graded("P-2", "C", 2), graded("P-1", "D", 3), graded("P-1", "C", 4),
           graded("P-1", "A", 2), graded("P-2", "B", 5, status="provisional"), graded("P-1", "A", 6),
           graded("P-2", "D", 7), graded("P-1", "D", 8)]
    at_once, one_by_one = FakeUnitOfWork(), FakeUnitOfWork()
    await on_parcel_graded(at_once, received(*run))
    for event in run:
        await on_parcel_graded(one_by_one, received(event))

    def seen(uow: FakeUnitOfWork) -> tuple[Any, ...]:
        cases = sorted((c.parcel_id, c.kind, c.state, [(e.action, e.to_state, e.reason) for e in c.timeline])
                       for c in uow.cases.rows.values())
        events = [(e.parcel_id, e.kind, e.state, e.reason) for e in uow.of(contract.CaseChanged)]
        return cases, events, uow.projections.grades

    assert len(at_once.emitted) >= 6
    assert seen(at_once) == seen(one_by_one)


# --- staff moving cases ----------------------------------------------------------------------


async def _one_case(uow: FakeUnitOfWork, grade: str = "D", street: str = RONGHUA) -> Case:
    await on_parcel_graded(uow, received(graded("P-1", grade, street=street)))
    [case] = await open_cases(uow, "P-1")
    return case


async def test_a_transition_is_recorded_and_published_and_a_retry_is_a_no_op() -> None:
    uow = FakeUnitOfWork(Clock(T0 + timedelta(days=1)))
    case = await _one_case(uow)
    moved = await transition_case(uow, case.case_id, TransitionRequest(CaseState.INSPECTING, "site visit"), STAFF)
    assert moved.state is CaseState.INSPECTING
    stored = await uow.cases.get(case.case_id)
    assert stored is not None and stored.state is CaseState.INSPECTING and len(stored.timeline) == 2
    changed = uow.of(contract.CaseChanged)[-1]
    assert (changed.state, changed.previous_state, changed.actor, changed.reason) == (
        "inspecting", "opened", "officer-zhao", "site visit")

    emitted = len(uow.emitted)
    again = await transition_case(uow, case.case_id, TransitionRequest(CaseState.INSPECTING, "site visit"), STAFF)
    assert len(again.timeline) == 2 and len(uow.emitted) == emitted


async def test_refused_transitions_change_nothing() -> None:
    uow = FakeUnitOfWork(Clock(T0 + timedelta(days=1)))
    case = await _one_case(uow)
    before = (copy.deepcopy(uow.cases.rows), len(uow.emitted))
    with pytest.raises(IllegalTransition):
        await transition_case(uow, case.case_id, TransitionRequest(CaseState.RECTIFIED, "skip"), STAFF)
    with pytest.raises(Conflict):
        await transition_case(uow, case.case_id, TransitionRequest(
            CaseState.INSPECTING, "x", expected_state=CaseState.INSPECTING), STAFF)
    with pytest.raises(OutsideJurisdiction):
        await transition_case(uow, case.case_id, TransitionRequest(CaseState.INSPECTING, "x"), BOXING_APP)
    with pytest.raises(NotFound):
        await transition_case(uow, "nope", TransitionRequest(CaseState.INSPECTING, "x"), STAFF)
    after = uow.cases.rows[case.case_id]
    assert (after.state, len(after.timeline), len(uow.emitted)) == (
        before[0][case.case_id].state, len(before[0][case.case_id].timeline), before[1])


# --- the overdue check -----------------------------------------------------------------------


async def test_overdue_cases_are_flagged_once_per_missed_date() -> None:
    clock = Clock()
    uow = FakeUnitOfWork(clock)
    await on_parcel_graded(uow, received(graded("P-1", "D"), graded("P-2", "C")))
    assert await flag_overdue_cases(uow) == 0

    clock.now = T0 + timedelta(days=16)  # past both comply-by dates (10 and 15 days)
    assert await flag_overdue_cases(uow, batch=1) == 2  # one transaction per batch, until none is left
    notices = uow.of(contract.CaseOverdue)
    assert sorted((n.parcel_id, n.state) for n in notices) == [("P-1", "opened"), ("P-2", "opened")]
    assert all(c.timeline[-1].action == "overdue" for c in uow.cases.rows.values())
    assert await flag_overdue_cases(uow) == 0 and len(uow.of(contract.CaseOverdue)) == 2


# --- inspections and evidence ----------------------------------------------------------------


async def _registry(uow: FakeUnitOfWork, parcel: str = "P-1", street: str = RONGHUA) -> None:
    await on_parcel_changed(uow, received(parcel_changed(parcel, street)))


async def test_an_inspection_is_recorded_published_and_answers_the_parcels_tasks() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    await on_suspected_occupant(uow, received(suspicion("P-1")))
    lease = Finding(FindingType.UNAUTHORISED_LEASE, HolderAttitude.REFUSES_TO_CORRECT, "9135 0100-m000100y43")
    record, created = await record_inspection(uow, an_inspection("P-1", lease), RONGHUA_APP)
    assert created and (record.street, record.submitted_by) == (RONGHUA, "ronghua-app")
    [finding] = uow.of(contract.FindingRecorded)
    assert (finding.finding_id, finding.street, finding.tenant_uscc) == ("insp-1#1", RONGHUA, TENANT)
    stored = await uow.inspections.get("insp-1")
    assert stored is not None and stored.inspection.findings[0].tenant_uscc == TENANT  # stored normalised
    [task] = uow.projections.open_tasks
    assert (task.status, task.done_by_inspection_id) == ("done", "insp-1")


async def test_a_resent_inspection_is_a_no_op_and_a_changed_one_a_conflict() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    await record_inspection(uow, an_inspection("P-1"), RONGHUA_APP)
    again, created = await record_inspection(uow, an_inspection("P-1"), RONGHUA_APP)
    assert not created and again.inspection == an_inspection("P-1") and len(uow.emitted) == 1
    with pytest.raises(Conflict):
        await record_inspection(uow, an_inspection("P-1", Finding(FindingType.NO_ISSUE)), RONGHUA_APP)
    assert len(uow.emitted) == 1


async def test_an_inspection_outside_the_callers_street_or_of_an_unknown_parcel_is_refused() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    with pytest.raises(OutsideJurisdiction):
        await record_inspection(uow, an_inspection("P-1"), BOXING_APP)
    with pytest.raises(OutsideJurisdiction):
        await record_inspection(uow, an_inspection("P-1"), Caller("unbound-app"))
    assert uow.inspections.rows == {} and uow.emitted == []


async def test_an_inspection_of_a_parcel_not_reported_yet_waits_for_it_and_is_recorded_when_it_arrives() -> None:
    uow = FakeUnitOfWork()
    await on_suspected_occupant(uow, received(suspicion("P-new")))
    lease = Finding(FindingType.UNAUTHORISED_LEASE, HolderAttitude.REFUSES_TO_CORRECT, TENANT)
    kept, created = await record_inspection(uow, an_inspection("P-new", lease), RONGHUA_APP)
    assert created and isinstance(kept, PendingInspection) and kept.status is PendingStatus.PENDING
    assert uow.emitted == [] and uow.inspections.rows == {}
    again, created = await record_inspection(uow, an_inspection("P-new", lease), RONGHUA_APP)
    assert not created and isinstance(again, PendingInspection)  # an offline app's re-send: a no-op
    with pytest.raises(Conflict):
        await record_inspection(uow, an_inspection("P-new", Finding(FindingType.NO_ISSUE)), RONGHUA_APP)
    assert isinstance(await inspection_or_pending(uow, "insp-1", RONGHUA_APP), PendingInspection)
    with pytest.raises(NotFound):
        await inspection_or_pending(uow, "insp-1", BOXING_APP)

    await _registry(uow, "P-new")
    [finding] = uow.of(contract.FindingRecorded)
    assert (finding.finding_id, finding.parcel_id, finding.street) == ("insp-1#1", "P-new", RONGHUA)
    recorded = await inspection_or_pending(uow, "insp-1", RONGHUA_APP)
    assert isinstance(recorded, InspectionRecord) and recorded.submitted_by == "ronghua-app"
    assert recorded.recorded_at == kept.received_at and uow.inspections.waiting == {}
    assert [t.status for t in uow.projections.open_tasks] == ["done"]
    await _registry(uow, "P-new")  # the parcel's next version records nothing twice
    assert len(uow.of(contract.FindingRecorded)) == 1


async def test_a_waiting_inspection_whose_parcel_arrives_in_another_street_is_refused_then() -> None:
    uow = FakeUnitOfWork()
    await record_inspection(uow, an_inspection("P-far"), RONGHUA_APP)
    with pytest.raises(OutsideJurisdiction):
        await record_inspection(uow, an_inspection("P-far", inspection_id="insp-2"), Caller("unbound-app"))
    await _registry(uow, "P-far", street=BOXING)
    refused = await inspection_or_pending(uow, "insp-1", RONGHUA_APP)
    assert isinstance(refused, PendingInspection) and refused.status is PendingStatus.REFUSED
    assert refused.refusal and "P-far" in refused.refusal
    assert uow.emitted == [] and uow.inspections.rows == {}


async def test_a_pending_inspection_expires_after_its_days_and_may_be_sent_again_as_new() -> None:
    clock = Clock()
    uow = FakeUnitOfWork(clock)
    await record_inspection(uow, an_inspection("P-typo"), RONGHUA_APP)
    clock.now = T0 + timedelta(days=7) - timedelta(seconds=1)
    assert await expire_pending_inspections(uow, days=7) == 0  # not yet: seven days are not over
    clock.now = T0 + timedelta(days=7, seconds=1)
    assert await expire_pending_inspections(uow, days=7) == 1
    expired = await inspection_or_pending(uow, "insp-1", RONGHUA_APP)
    assert isinstance(expired, PendingInspection) and expired.status is PendingStatus.EXPIRED
    assert expired.refusal and "7 天" in expired.refusal and "7 days" in expired.refusal
    assert await expire_pending_inspections(uow, days=7) == 0  # once
    with pytest.raises(NotFound):  # no evidence for what was never recorded; nothing to retry
        await add_evidence(uow, EvidenceUpload("insp-1", "a.jpg", "image/jpeg", JPEG), RONGHUA_APP,
                           store=EvidenceStore(Path("/nonexistent")), policy=EvidencePolicy())

    again, created = await record_inspection(uow, an_inspection("P-1"), RONGHUA_APP)  # the id corrected
    assert created and isinstance(again, PendingInspection) and again.status is PendingStatus.PENDING
    assert again.received_at == clock.now and again.refusal is None and again.inspection.parcel_id == "P-1"
    await _registry(uow, "P-1")
    recorded = await inspection_or_pending(uow, "insp-1", RONGHUA_APP)
    assert isinstance(recorded, InspectionRecord) and recorded.inspection.parcel_id == "P-1"


def test_an_invalid_tenant_uscc_never_enters() -> None:
    with pytest.raises(InvalidInput) as refused:
        an_inspection("P-1", Finding(FindingType.UNAUTHORISED_LEASE, tenant_uscc="9135 0100-M000100Y44"))
    assert "check character" in refused.value.errors[0].message


async def test_evidence_is_stored_once_and_served_unchanged(tmp_path: Path) -> None:
    uow, store, policy = FakeUnitOfWork(), EvidenceStore(tmp_path), EvidencePolicy()
    await _registry(uow)
    await record_inspection(uow, an_inspection("P-1"), RONGHUA_APP)
    upload = EvidenceUpload("insp-1", "site.jpg", "image/jpeg", JPEG)
    item, created = await add_evidence(uow, upload, RONGHUA_APP, store=store, policy=policy)
    assert created and store.path_for(item.storage_name).read_bytes() == JPEG
    again, created = await add_evidence(uow, dataclasses.replace(upload, filename="retry.jpg"), RONGHUA_APP,
                                        store=store, policy=policy)
    assert not created and again == item
    record = await get_inspection(uow, "insp-1", RONGHUA_APP)
    assert record.evidence == (item,)
    assert await evidence_content(uow, store, "insp-1", item.evidence_id, STAFF) == (item, JPEG)
    with pytest.raises(NotFound):
        await evidence_content(uow, store, "insp-1", "nope", STAFF)


async def test_refused_evidence_leaves_no_record(tmp_path: Path) -> None:
    uow, store, policy = FakeUnitOfWork(), EvidenceStore(tmp_path), EvidencePolicy()
    await _registry(uow)
    await record_inspection(uow, an_inspection("P-1"), RONGHUA_APP)
    with pytest.raises(EvidenceRejected):
        await add_evidence(uow, EvidenceUpload("insp-1", "a.gif", "image/gif", b"GIF89a"), RONGHUA_APP,
                           store=store, policy=policy)
    with pytest.raises(OutsideJurisdiction):
        await add_evidence(uow, EvidenceUpload("insp-1", "a.jpg", "image/jpeg", JPEG), BOXING_APP,
                           store=store, policy=policy)
    with pytest.raises(NotFound):
        await add_evidence(uow, EvidenceUpload("nope", "a.jpg", "image/jpeg", JPEG), RONGHUA_APP,
                           store=store, policy=policy)
    assert uow.inspections.rows["insp-1"].evidence == () and _files_under(tmp_path) == []


def _files_under(root: Path) -> list[Path]:
    return list(root.rglob("*.*"))


# --- registry events and the read models -----------------------------------------------------


async def test_a_parcel_keeps_its_newest_registry_version() -> None:
    uow = FakeUnitOfWork()
    await on_parcel_changed(uow, received(parcel_changed("P-1", RONGHUA, 2), parcel_changed("P-1", BOXING, 1)))
    assert await uow.projections.parcel("P-1") == ParcelView("P-1", "Test works", RONGHUA, HOLDER)
    await on_parcel_changed(uow, received(parcel_changed("P-1", BOXING, 3)))
    parcel = await uow.projections.parcel("P-1")
    assert parcel is not None and parcel.street == BOXING


async def test_a_suspected_occupant_is_one_task_of_that_street_office_only() -> None:
    uow = FakeUnitOfWork()
    await on_suspected_occupant(uow, received(suspicion("P-1", "F-1")))
    await on_suspected_occupant(uow, received(suspicion("P-1", "F-2")))
    [task], total, next_ = await list_tasks(uow, RONGHUA_APP, street=None, status="open", limit=10, offset=0)
    assert (total, task.reports, task.filing_id, task.suspected_uscc, next_) == (1, 2, "F-2", TENANT, None)
    assert (await list_tasks(uow, BOXING_APP, street=None, status=None, limit=10, offset=0)) == ([], 0, None)
    with pytest.raises(OutsideJurisdiction):
        await list_tasks(uow, BOXING_APP, street=RONGHUA, status=None, limit=10, offset=0)
    staff, _, _ = await list_tasks(uow, STAFF, street="ronghua", status=None, limit=10, offset=0)
    assert [t.task_id for t in staff] == [task.task_id]


async def test_case_reads_are_limited_to_the_callers_area() -> None:
    clock = Clock()
    uow = FakeUnitOfWork(clock)
    await on_parcel_graded(uow, received(graded("P-1", "D", street=RONGHUA), graded("P-2", "C", street=BOXING)))
    [boxing_case] = await open_cases(uow, "P-2")
    office = Caller("ronghua-office", jurisdiction=RONGHUA)
    seen, total, _ = await list_cases(uow, CaseFilter(jurisdiction=office.area), 50, 0)
    assert total == 1 and [c.parcel_id for c in seen] == ["P-1"]
    with pytest.raises(OutsideJurisdiction):
        await get_case(uow, boxing_case.case_id, office)
    assert (await get_case(uow, boxing_case.case_id, STAFF)).kind is CaseKind.RENEWAL_GUIDANCE
    with pytest.raises(NotFound):
        await get_case(uow, "nope", STAFF)
    clock.now = T0 + timedelta(days=12)
    overdue, _, _ = await list_cases(uow, CaseFilter(overdue=True), 50, 0)
    assert [c.parcel_id for c in overdue] == ["P-1"]


async def test_walking_the_cases_by_next_gives_each_once_in_order_despite_a_new_case_meanwhile() -> None:
    uow = FakeUnitOfWork(Clock())
    # Two cases opened at the same moment: the id orders them, so no page boundary splits a tie badly.
    await on_parcel_graded(uow, received(*(graded(f"P-{n}", "D", minutes=n // 2) for n in range(7))))
    everything, total, _ = await list_cases(uow, CaseFilter(), 50, 0)
    walked: list[str] = []
    first, first_total, after = await list_cases(uow, CaseFilter(), 2, 0)
    walked += [c.case_id for c in first]
    await on_parcel_graded(uow, received(graded("P-new", "D", minutes=1)))  # lands among pages not yet read
    while after is not None:
        page, page_total, after = await list_cases(uow, CaseFilter(), 2, 0, Cursor.parse(after))
        walked += [c.case_id for c in page if c.parcel_id != "P-new"]
    assert (total, first_total, page_total) == (7, 7, 8)
    assert walked == [c.case_id for c in everything]


async def test_walking_the_tasks_by_next_and_the_deprecated_offset_agree() -> None:
    uow = FakeUnitOfWork()
    await on_suspected_occupant(uow, received(*(suspicion(f"P-{n}") for n in range(5))))
    by_offset = [t.task_id for n in range(0, 5, 2)
                 for t in (await list_tasks(uow, STAFF, street=None, status=None, limit=2, offset=n))[0]]
    walked: list[str] = []
    after: str | None = None
    while True:
        page, total, after = await list_tasks(uow, STAFF, street=None, status=None, limit=2,
                                              after=Cursor.parse(after) if after else None)
        walked += [t.task_id for t in page]
        if after is None:
            break
    assert total == 5 and len(set(walked)) == 5 and walked == by_offset


def _order(row: dict[str, Any]) -> GradeOrder:
    return GradeOrder(row["year"], row["evaluated_at"])


async def test_an_unapproved_lease_gives_a_task_whose_brief_names_the_lease() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    await on_suspected_occupant(uow, received(SuspectedOccupant(
        parcel_id="P-1", street=RONGHUA, uscc=TENANT, lease_id="L-7", year=2025,
        reason="未经批准的租赁登记：租赁 L-7")))
    [task], total, _ = await list_tasks(uow, RONGHUA_APP, street=None, status="open", limit=10, offset=0)
    assert (total, task.lease_id, task.filing_id, task.suspected_uscc) == (1, "L-7", "", TENANT)
    zh, en = brief(task).why, brief(task, "en").why
    assert zh.startswith("未经批准的租赁登记") and "租赁 L-7" in zh and TENANT in zh and "税务申报" not in zh
    assert "Lease L-7" in en and "without the Administrative Committee's approval" in en and "filing" not in en


def _lease(lease_id: str, *, approved: bool, start: date | None = date(2025, 1, 1),
           end: date | None = None) -> LeaseChanged:
    return LeaseChanged(parcel_id="P-1", lease_id=lease_id, tenant_uscc=TENANT, area_m2=Decimal(500), start=start,
                        end=end, approved=approved, approval_ref="京开管批〔2025〕7号" if approved else None,
                        approval_date=date(2025, 3, 1) if approved else None, equity_linked=False)


async def test_approving_the_lease_withdraws_its_task_and_tells_the_street_office_once() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    await on_suspected_occupant(uow, received(SuspectedOccupant(
        parcel_id="P-1", street=RONGHUA, uscc=TENANT, lease_id="L-7", year=2025,
        reason="未经批准的租赁登记：租赁 L-7")))
    await on_lease_changed(uow, received(_lease("L-7", approved=False)))  # the registration itself: no change
    assert [t.status for t in uow.projections.open_tasks] == ["open"]

    approved = received(_lease("L-7", approved=True))
    await on_lease_changed(uow, approved)
    [task] = uow.projections.open_tasks
    assert (task.status, task.done_at, task.approval_lease_id, task.approval_ref) == (
        "withdrawn", T0, "L-7", "京开管批〔2025〕7号")
    assert await list_tasks(uow, RONGHUA_APP, street=None, status="open", limit=10, offset=0) == ([], 0, None)
    zh = brief(task).why
    assert zh.startswith("已撤回") and "L-7" in zh and "京开管批〔2025〕7号" in zh and "无需再到现场核查" in zh
    assert brief(task, "en").why.startswith("Withdrawn: lease L-7")
    withdrawal = [n for n in uow.notices.kept.values() if n.kind is NoticeKind.TASK_WITHDRAWN]
    assert [(n.task_id, n.recipient, n.respond_by) for n in withdrawal] == [(task.task_id, "ronghua", None)]
    assert withdrawal[0].subject.startswith("核查任务撤回") and "无需再到现场核查" in withdrawal[0].body

    await on_lease_changed(uow, approved)  # redelivered: nothing more
    assert len(uow.notices.kept) == 2 and [t.status for t in uow.projections.open_tasks] == ["withdrawn"]


@pytest.mark.parametrize(("task_lease", "task_year", "lease", "withdrawn"), [
    ("L-7", 2025, _lease("L-7", approved=True), True),  # the task's own lease
    ("L-8", 2025, _lease("L-7", approved=True), False),  # another lease of the tenant, still unapproved
    (None, 2025, _lease("L-7", approved=True), True),  # the tenant's filing for a year the lease covers
    (None, 2024, _lease("L-7", approved=True), False),  # a filing for a year before the lease
    (None, 2027, _lease("L-7", approved=True, end=date(2026, 12, 31)), False),  # ... or after it
    (None, 2024, _lease("L-7", approved=True, start=None), True),  # an open-ended lease covers every year
])
async def test_which_open_task_a_lease_approval_withdraws(task_lease: str | None, task_year: int,
                                                         lease: LeaseChanged, withdrawn: bool) -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    await on_suspected_occupant(uow, received(SuspectedOccupant(
        parcel_id="P-1", street=RONGHUA, uscc=TENANT, lease_id=task_lease, filing_id="" if task_lease else "F-1",
        year=task_year, reason="test")))
    await on_lease_changed(uow, received(lease))
    assert [t.status for t in uow.projections.open_tasks] == ["withdrawn" if withdrawn else "open"]


async def test_a_task_an_inspection_made_done_is_not_withdrawn() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    await on_suspected_occupant(uow, received(suspicion("P-1")))
    await record_inspection(uow, an_inspection("P-1"), RONGHUA_APP)
    await on_lease_changed(uow, received(_lease("L-7", approved=True, start=date(2024, 1, 1))))
    [task] = uow.projections.open_tasks
    assert task.status == "done" and task.approval_lease_id is None
