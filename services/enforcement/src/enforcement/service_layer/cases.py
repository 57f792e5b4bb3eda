"""Cases: opened and closed by grade events, moved by enforcement staff, flagged when overdue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.case_repository import CaseFilter, CaseRepository
from enforcement.adapters.projection_repository import ProjectionRepository
from enforcement.domain.case_decisions import CloseCase, Decision, GradeChange, OpenCase, decide
from enforcement.domain.case_states import CaseState
from enforcement.domain.cases import Case, open_case
from enforcement.domain.inspections import ensure_in_jurisdiction
from enforcement.domain.local_time import local_date
from enforcement.service_layer.context import Caller, Context
from enforcement.service_layer.errors import Conflict, NotFound
from enforcement.service_layer.messages import case_messages
from landgrade_events.evaluation import ParcelGraded
from servicekit.inbox import Delivery

GRADE_ACTOR = "system:evaluation"
OVERDUE_ACTOR = "system:overdue-check"


async def on_parcel_graded(session: AsyncSession, ctx: Context, graded: ParcelGraded) -> None:
    """Open, close or reopen the parcel's cases for one grade event (inside the consumer's transaction)."""
    if graded.status == "provisional" and not ctx.cases_from_provisional_grades:
        return
    projections, repo = ProjectionRepository(session), CaseRepository(session)
    last = (await projections.last_graded_at([graded.parcel_id])).get(graded.parcel_id)
    open_cases = await repo.open_for_parcel(graded.parcel_id)
    decisions = decide(_change(graded), open_cases, last)
    await projections.record_grade(graded.parcel_id, graded.grade, graded.status, graded.evaluation_id,
                                   graded.evaluated_at)
    await _carry_out(session, ctx, repo, graded, decisions, open_cases)


async def on_parcels_graded(session: AsyncSession, ctx: Context, run: list[tuple[ParcelGraded, Delivery]]) -> None:
    """A run of grade events at once, with exactly the effects of `on_parcel_graded` on each in
    turn: the parcels' last grade times and open cases are read (and locked) once, and only a
    grade that moves a case touches cases (then that parcel's open cases are read again)."""
    run = [(g, d) for g, d in run if g.status != "provisional" or ctx.cases_from_provisional_grades]
    if not run:
        return
    projections, repo = ProjectionRepository(session), CaseRepository(session)
    parcel_ids = [graded.parcel_id for graded, _ in run]
    last = await projections.last_graded_at(parcel_ids)
    open_cases = await repo.open_for_parcels(parcel_ids)
    for graded, delivery in run:
        parcel_id = graded.parcel_id
        decisions = decide(_change(graded), open_cases.get(parcel_id, []), last.get(parcel_id))
        if last.get(parcel_id) is None or last[parcel_id] <= graded.evaluated_at:
            last[parcel_id] = graded.evaluated_at  # as `record_grade` keeps it
        if decisions:
            with delivery.traced():
                await _carry_out(session, ctx, repo, graded, decisions, open_cases.get(parcel_id, []))
            open_cases[parcel_id] = await repo.open_for_parcel(parcel_id)
    await projections.record_grades([
        {"parcel_id": g.parcel_id, "grade": g.grade, "status": g.status, "evaluation_id": g.evaluation_id,
         "evaluated_at": g.evaluated_at} for g, _ in run])


def _change(graded: ParcelGraded) -> GradeChange:
    return GradeChange(graded.parcel_id, graded.grade, graded.evaluated_at, tuple(r.text_en for r in graded.reasons))


async def _carry_out(session: AsyncSession, ctx: Context, repo: CaseRepository, graded: ParcelGraded,
                     decisions: list[Decision], open_cases: list[Case]) -> None:
    now, by_id = ctx.clock(), {c.case_id: c for c in open_cases}
    for decision in decisions:
        if isinstance(decision, OpenCase):
            case = open_case(case_id=str(uuid.uuid4()), kind=decision.kind, parcel_id=graded.parcel_id,
                             street=graded.street, holder_uscc=graded.holder_uscc, at=now, by=GRADE_ACTOR,
                             reason=decision.reason, due_policy=ctx.due_policy)
            if not await repo.add(case):
                continue  # an open case of this kind already exists: one per parcel and kind
        else:
            case = by_id[decision.case_id]
            if isinstance(decision, CloseCase):
                case.close_for_grade(at=now, by=GRADE_ACTOR, reason=decision.reason)
            else:
                case.transition(CaseState.INSPECTING, at=now, by=GRADE_ACTOR, reason=decision.reason,
                                due_policy=ctx.due_policy)
            await repo.save(case)
        await ctx.outbox.add(session, *case_messages(case))


@dataclass(frozen=True)
class TransitionRequest:
    to: CaseState
    reason: str
    due_date: date | None = None
    expected_state: CaseState | None = None  # guards against acting on a stale view of the case


async def transition_case(ctx: Context, case_id: str, request: TransitionRequest, caller: Caller) -> Case:
    async with ctx.db.transaction() as session:
        repo = CaseRepository(session)
        case = await _visible(await repo.get(case_id, for_update=True), case_id, caller)
        if request.expected_state is not None and request.expected_state is not case.state:
            raise Conflict("Case changed meanwhile",
                           f"case {case_id} is {case.state}, not {request.expected_state}; reload it")
        if case.repeats_last_move(request.to, caller.subject, request.reason):
            return case
        case.transition(request.to, at=ctx.clock(), by=caller.subject, reason=request.reason,
                        due_policy=ctx.due_policy, due_date=request.due_date)
        await repo.save(case)
        await ctx.outbox.add(session, *case_messages(case))
        return case


async def get_case(ctx: Context, case_id: str, caller: Caller) -> Case:
    async with ctx.db.sessions() as session:
        return await _visible(await CaseRepository(session).get(case_id), case_id, caller)


async def list_cases(ctx: Context, f: CaseFilter, limit: int, offset: int) -> tuple[list[Case], int]:
    async with ctx.db.sessions() as session:
        return await CaseRepository(session).page(f, local_date(ctx.clock()), limit, offset)


async def flag_overdue_cases(ctx: Context, batch: int = 200) -> int:
    """One pass of the scheduled check: every newly overdue case gets one CaseOverdue event."""
    flagged = 0
    while True:
        async with ctx.db.transaction() as session:
            repo, now = CaseRepository(session), ctx.clock()
            found = await repo.due_for_overdue_notice(local_date(now), batch)
            for case in found:
                if case.flag_overdue(now, by=OVERDUE_ACTOR):
                    await repo.save(case)
                    await ctx.outbox.add(session, *case_messages(case))
                    flagged += 1
        if len(found) < batch:
            return flagged


async def _visible(case: Case | None, case_id: str, caller: Caller) -> Case:
    if case is None:
        raise NotFound(f"no case {case_id}")
    if caller.area is not None:
        ensure_in_jurisdiction(caller.area, case.parcel_id, case.street)
    return case
