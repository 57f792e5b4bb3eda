"""`/v1/cases`: enforcement (D) and renewal-guidance (C) cases for the Administrative Committee's staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query

from enforcement.domain.case_states import CaseKind, CaseState
from enforcement.domain.cases import Case, CaseFilter, is_overdue
from enforcement.entrypoints.http.deps import AFTER, OFFSET, CaseReader, CaseWriter, Ctx, IssuedId, after_cursor
from enforcement.entrypoints.http.schemas import CaseDetail, CaseOut, CasePage, TimelineEntryOut, TransitionIn
from enforcement.service_layer.cases import TransitionRequest, transition_case
from enforcement.service_layer.queries import get_case, list_cases

RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Case outside the token's jurisdiction"}, 404: {"description": "No such case"}}

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.get("", response_model=CasePage,
            summary="Cases newest first, cursor-paginated (`after`, `next`), with the total")
async def find_cases(
    ctx: Ctx, caller: CaseReader,
    kind: CaseKind | None = None, state: CaseState | None = None,
    street: str | None = Query(None, description="Street or town, any spelling (荣华街道, Ronghua, ronghua)."),
    parcel_id: str | None = None,
    overdue: bool | None = Query(None, description="Open cases past their comply-by date (or not)."),
    after: str | None = AFTER,
    limit: int = Query(50, ge=1, le=500, description="at most 500"), offset: int = OFFSET,
) -> CasePage:
    f = CaseFilter(kind and kind.value, state and state.value, street, parcel_id, overdue, caller.area)
    found, total, next_ = await list_cases(ctx.uow(), f, limit, offset, after_cursor(after))
    now = ctx.clock()
    return CasePage(items=[case_out(c, now) for c in found], total=total, limit=limit, offset=offset, next=next_)


@router.get("/{case_id}", response_model=CaseDetail, responses=RESPONSES)
async def read_case(case_id: IssuedId, ctx: Ctx, caller: CaseReader) -> CaseDetail:
    return case_detail(await get_case(ctx.uow(), case_id, caller), ctx.clock())


@router.post("/{case_id}/transitions", response_model=CaseDetail, responses={
    **RESPONSES, 409: {"description": "Not an allowed transition from the case's state, or a stale view"},
    422: {"description": "Missing reason or a comply-by date not after today"}})
async def move_case(case_id: IssuedId, body: TransitionIn, ctx: Ctx, caller: CaseWriter) -> CaseDetail:
    """Move the case along its state machine. Re-sending the move just made is a no-op."""
    request = TransitionRequest(body.to, body.reason, body.due_date, body.expected_state)
    return case_detail(await transition_case(ctx.uow(), case_id, request, caller), ctx.clock())


def case_out(case: Case, now: datetime) -> CaseOut:
    return CaseOut(
        case_id=case.case_id, kind=case.kind.value, parcel_id=case.parcel_id, street=case.street or "",
        holder_uscc=case.holder_uscc, state=case.state.value, opened_at=case.opened_at, due_date=case.due_date,
        closed_at=case.closed_at, overdue=is_overdue(case, now),
        allowed_transitions=sorted(s.value for s in case.allowed_next()))


def case_detail(case: Case, now: datetime) -> CaseDetail:
    timeline = [TimelineEntryOut(at=e.at, actor=e.by, action=e.action,  # type: ignore[arg-type]
                                 from_state=e.from_state.value if e.from_state else None,
                                 to_state=e.to_state.value, reason=e.reason, due_date=e.due_date)
                for e in case.timeline]
    return CaseDetail(**case_out(case, now).model_dump(), timeline=timeline)
