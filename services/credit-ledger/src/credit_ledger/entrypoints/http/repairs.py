"""Credit repair and objection: a subject applies with evidence; admin approves or rejects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from credit_ledger.domain.repairs import RepairKind
from credit_ledger.domain.subjects import as_uscc
from credit_ledger.entrypoints.http.deps import READ, REPAIR, Ctx
from credit_ledger.entrypoints.http.schemas import DecisionIn, RepairIn, RepairOut
from credit_ledger.service_layer import queries, repairs
from credit_ledger.service_layer.access import ensure_acts_for
from servicekit.auth import ADMIN, Principal, require
from servicekit.idempotency import IdempotencyKeyDep

router = APIRouter(prefix="/v1/repairs", tags=["repairs"])
RepairId = Annotated[str, Path(max_length=36, pattern=r"^[0-9A-Za-z-]{1,36}$",
                               description="as answered by the application (a UUID)")]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the token lacks the scope, or is bound (`uscc` claim) to another enterprise"},
    404: {"description": "no such application"}, 409: {"description": "already decided"},
    422: {"description": "refused (field named): e.g. `subject_ref` neither a valid USCC nor a person token "
                         "the ledger holds, or text that is not valid Unicode"},
}


@router.post("", status_code=201, response_model=RepairOut, responses=ERRORS,
             summary="Apply for credit repair or object to a negative record (Idempotency-Key honoured)")
async def apply(body: RepairIn, response: Response, ctx: Ctx, idempotency_key: IdempotencyKeyDep,
                principal: Principal = require(REPAIR)) -> Any:
    ensure_acts_for(principal, as_uscc(body.subject_ref) or body.subject_ref)
    command = repairs.ApplyForRepair(
        kind=RepairKind(body.kind), subject_ref=body.subject_ref, record_id=body.record_id,
        evidence=tuple(body.evidence), statement=body.statement, applied_by=principal.subject, at=ctx.clock())
    request = idempotency_key.by(principal.subject) if idempotency_key else None
    response.status_code, answer = await repairs.apply(ctx.uow(), command, request)
    return answer


@router.get("/{repair_id}", response_model=RepairOut, responses=ERRORS, summary="One application")
async def get_repair(repair_id: RepairId, ctx: Ctx, principal: Principal = require(READ, REPAIR)) -> Any:
    found = await queries.repair(ctx.uow(), repair_id)
    ensure_acts_for(principal, found["subject_ref"])
    return found


@router.post("/{repair_id}/approve", response_model=RepairOut, responses=ERRORS,
             summary="Approve: append records that supersede the negative ones (admin)")
async def approve(repair_id: RepairId, body: DecisionIn, ctx: Ctx, principal: Principal = require(ADMIN)) -> Any:
    return await repairs.decide(ctx.uow(), repairs.DecideRepair(repair_id, True, principal.subject, body.note,
                                                                ctx.clock()))


@router.post("/{repair_id}/reject", response_model=RepairOut, responses=ERRORS, summary="Reject (admin)")
async def reject(repair_id: RepairId, body: DecisionIn, ctx: Ctx, principal: Principal = require(ADMIN)) -> Any:
    return await repairs.decide(ctx.uow(), repairs.DecideRepair(repair_id, False, principal.subject, body.note,
                                                                ctx.clock()))
