"""The ledger's integrity: verify the hash chain; list published anchors."""

from __future__ import annotations

from fastapi import APIRouter

from credit_ledger.entrypoints.http.deps import READ, Ctx
from credit_ledger.entrypoints.http.schemas import Break, VerifyOut
from credit_ledger.service_layer import queries
from servicekit.auth import Principal, require

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])


@router.get("/verify", response_model=VerifyOut, summary="Recompute the hash chain; name the first broken record")
async def verify(ctx: Ctx, principal: Principal = require(READ)) -> VerifyOut:
    result, anchors = await queries.verify_ledger(ctx.uow())
    ctx.ledger_verified(result.ok)
    broken = None
    if not result.ok and result.broken_at is not None and result.problem is not None:
        broken = Break(sequence=result.broken_at, problem=result.problem.value, detail=result.detail)
    return VerifyOut(
        ok=result.ok, checked=result.checked, anchors_checked=anchors, first_broken=broken,
        head_sequence=result.head.sequence if result.head else None,
        head_hash=result.head.head_hash if result.head else None, verified_at=ctx.clock(),
    )


@router.get("/anchors", summary="Anchors stored by this service (also published on landgrade.credit.anchors.v1)")
async def anchors(ctx: Ctx, principal: Principal = require(READ)) -> list[dict[str, object]]:
    return [{"sequence": a.sequence, "head_hash": a.head_hash} for a in await queries.anchors(ctx.uow())]
