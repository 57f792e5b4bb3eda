"""Cases: opened and closed by grade events, moved by enforcement staff, flagged when overdue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from enforcement.domain.case_decisions import CloseCase, Decision, GradeChange, OpenCase, decide
from enforcement.domain.case_states import CaseState
from enforcement.domain.cases import Case, open_case
from enforcement.domain.inspections import ensure_in_jurisdiction
from enforcement.domain.local_time import local_date
from enforcement.service_layer.context import Caller
from enforcement.service_layer.errors import Conflict, NotFound
from enforcement.service_layer.outgoing import case_events
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_events.evaluation import ParcelGraded
from servicekit.inbox import Received

GRADE_ACTOR = "system:evaluation"
OVERDUE_ACTOR = "system:overdue-check"


async def on_parcel_graded(uow: EnforcementUnitOfWork, events: list[Received[ParcelGraded]]) -> None:
    """Open, close or reopen the parcels' cases for a run of grade events, with exactly the effects
    of applying each in turn: the parcels' last grade times and open cases are read (and locked)
    once, and only a grade that moves a case touches cases (then that parcel's open cases are read
    again)."""
    run = [e for e in events if e.data.status != "provisional" or uow.cases_from_provisional_grades]
    if not run:
        return
    async with uow:
        parcel_ids = [e.data.parcel_id for e in run]
        last = await uow.projections.last_graded(parcel_ids)
        open_cases = await uow.cases.open_for_parcels(parcel_ids)
        for received in run:
            graded, parcel_id = received.data, received.data.parcel_id
            change = _change(graded)
            decisions = decide(change, open_cases.get(parcel_id, []), last.get(parcel_id))
            if last.get(parcel_id) is None or last[parcel_id] <= change.order:
                last[parcel_id] = change.order  # as `record_grades` keeps it
            if decisions:
                with received.traced():
                    await _carry_out(uow, graded, decisions, open_cases.get(parcel_id, []))
                open_cases[parcel_id] = await uow.cases.open_for_parcel(parcel_id)
        await uow.projections.record_grades([
            {"parcel_id": e.data.parcel_id, "grade": e.data.grade, "status": e.data.status,
             "evaluation_id": e.data.evaluation_id, "year": e.data.year, "evaluated_at": e.data.evaluated_at}
            for e in run])


def _change(graded: ParcelGraded) -> GradeChange:
    return GradeChange(graded.parcel_id, graded.grade, graded.year, graded.evaluated_at,
                       tuple(r.text_en for r in graded.reasons))


async def _carry_out(uow: EnforcementUnitOfWork, graded: ParcelGraded, decisions: list[Decision],
                     open_cases: list[Case]) -> None:
    now, by_id = uow.clock(), {c.case_id: c for c in open_cases}
    for decision in decisions:
        if isinstance(decision, OpenCase):
            case = open_case(case_id=str(uuid.uuid4()), kind=decision.kind, parcel_id=graded.parcel_id,
                             street=graded.street, holder_uscc=graded.holder_uscc, at=now, by=GRADE_ACTOR,
                             reason=decision.reason, due_policy=uow.due_policy)
            if not await uow.cases.add(case):
                continue  # an open case of this kind already exists: one per parcel and kind
        else:
            case = by_id[decision.case_id]
            if isinstance(decision, CloseCase):
                case.close_for_grade(at=now, by=GRADE_ACTOR, reason=decision.reason)
            else:
                case.transition(CaseState.INSPECTING, at=now, by=GRADE_ACTOR, reason=decision.reason,
                                due_policy=uow.due_policy)
            await uow.cases.save(case)
        await uow.emit(*case_events(case))


@dataclass(frozen=True)
class TransitionRequest:
    to: CaseState
    reason: str
    due_date: date | None = None
    expected_state: CaseState | None = None  # guards against acting on a stale view of the case


async def transition_case(uow: EnforcementUnitOfWork, case_id: str, request: TransitionRequest,
                          caller: Caller) -> Case:
    """Move a case along its state machine; re-sending the move just made changes nothing."""
    async with uow:
        case = visible_case(await uow.cases.get(case_id, for_update=True), case_id, caller)
        if request.expected_state is not None and request.expected_state is not case.state:
            raise Conflict("Case changed meanwhile",
                           f"case {case_id} is {case.state}, not {request.expected_state}; reload it",
                           title_zh="案件已被他人变更",
                           detail_zh=f"案件 {case_id} 当前状态为 {case.state}，"
                                     f"不是 {request.expected_state}，请刷新后再试")
        if case.repeats_last_move(request.to, caller.subject, request.reason):
            return case
        case.transition(request.to, at=uow.clock(), by=caller.subject, reason=request.reason,
                        due_policy=uow.due_policy, due_date=request.due_date)
        await uow.cases.save(case)
        await uow.emit(*case_events(case))
        return case


async def flag_overdue_cases(uow: EnforcementUnitOfWork, batch: int = 200) -> int:
    """One pass of the scheduled check: every newly overdue case gets one CaseOverdue event. Each
    batch is its own transaction, so replicas running the check at once skip each other's rows."""
    flagged = 0
    while True:
        async with uow:
            now = uow.clock()
            found = await uow.cases.due_for_overdue_notice(local_date(now), batch)
            for case in found:
                if case.flag_overdue(now, by=OVERDUE_ACTOR):
                    await uow.cases.save(case)
                    await uow.emit(*case_events(case))
                    flagged += 1
        if len(found) < batch:
            return flagged


def visible_case(case: Case | None, case_id: str, caller: Caller) -> Case:
    """The case, if it exists and lies in the caller's area (404 and 403 otherwise)."""
    if case is None:
        raise NotFound(f"no case {case_id}", f"没有案件 {case_id}")
    if caller.area is not None:
        ensure_in_jurisdiction(caller.area, case.parcel_id, case.street)
    return case
