"""Credit repair and objection: a subject applies with evidence; admin approves or rejects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from credit_ledger.domain.repairs import RepairKind, RepairRefused
from credit_ledger.entrypoints.deps import READ, REPAIR, Ctx
from credit_ledger.entrypoints.schemas import DecisionIn, RepairIn, RepairOut
from credit_ledger.service_layer import repairs
from servicekit.auth import ADMIN, Principal, require
from servicekit.idempotency import remember, replay, request_hash
from servicekit.problems import Problem

router = APIRouter(prefix="/v1/repairs", tags=["repairs"])
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such application"}, 409: {"description": "already decided"},
    422: {"description": "refused (field named)"},
}


def _refused(error: RepairRefused) -> Problem:
    status = 409 if error.field == "status" else 422
    return Problem(status, "Repair refused", str(error), errors=[{"field": error.field, "message": str(error)}])


def _out(row: dict[str, Any], appended: list[str] | None = None) -> dict[str, Any]:
    return RepairOut.model_validate({**row, "appended_record_ids": appended or []}).model_dump(mode="json")


@router.post("", status_code=201, response_model=RepairOut, responses=ERRORS,
             summary="Apply for credit repair or object to a negative record (Idempotency-Key honoured)")
async def apply(body: RepairIn, request: Request, response: Response, ctx: Ctx,
                idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                principal: Principal = require(REPAIR)) -> Any:
    fingerprint = request_hash("POST", request.url.path, await request.body())
    try:
        async with ctx.db.transaction() as session:
            if idempotency_key:
                stored = await replay(session, ctx.idempotency, principal.subject, idempotency_key, fingerprint)
                if stored is not None:
                    response.status_code = stored[0]
                    return stored[1]
            row = await repairs.apply(session, RepairKind(body.kind), body.subject_ref, body.record_id,
                                      body.evidence, body.statement, principal.subject)
            out = _out(row)
            if idempotency_key:
                await remember(session, ctx.idempotency, principal.subject, idempotency_key, fingerprint, 201, out)
    except RepairRefused as error:
        raise _refused(error) from None
    return out


@router.get("/{repair_id}", response_model=RepairOut, responses=ERRORS, summary="One application")
async def get_repair(repair_id: str, ctx: Ctx, principal: Principal = require(READ, REPAIR)) -> Any:
    async with ctx.db.sessions() as session:
        try:
            return _out(await repairs.get(session, repair_id))
        except repairs.RepairNotFound:
            raise Problem(404, "Unknown repair", f"No application {repair_id}.") from None


async def _decide(repair_id: str, approved: bool, body: DecisionIn, ctx: Ctx, principal: Principal) -> Any:
    try:
        async with ctx.db.transaction() as session:
            row, appended = await repairs.decide(session, ctx.outbox, repair_id, approved, principal.subject,
                                                 body.note)
    except repairs.RepairNotFound:
        raise Problem(404, "Unknown repair", f"No application {repair_id}.") from None
    except RepairRefused as error:
        raise _refused(error) from None
    return _out(row, [r.record_id for r in appended])


@router.post("/{repair_id}/approve", response_model=RepairOut, responses=ERRORS,
             summary="Approve: append records that supersede the negative ones (admin)")
async def approve(repair_id: str, body: DecisionIn, ctx: Ctx, principal: Principal = require(ADMIN)) -> Any:
    return await _decide(repair_id, True, body, ctx, principal)


@router.post("/{repair_id}/reject", response_model=RepairOut, responses=ERRORS, summary="Reject (admin)")
async def reject(repair_id: str, body: DecisionIn, ctx: Ctx, principal: Principal = require(ADMIN)) -> Any:
    return await _decide(repair_id, False, body, ctx, principal)
