"""Public disclosure, no login: the list of quality land holders (A, final grades only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from credit_ledger.entrypoints.http.deps import Ctx
from credit_ledger.entrypoints.http.schemas import QualityHoldersOut
from credit_ledger.service_layer import queries

router = APIRouter(prefix="/v1/public", tags=["public"])


@router.get("/quality-holders", response_model=QualityHoldersOut,
            summary="A-class rights holders of a year (enterprise name, USCC, parcel, year); nothing personal")
async def list_quality_holders(
    ctx: Ctx,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: the latest graded year")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,  # beyond int64 the database fails (500)
) -> object:
    return await queries.quality_holders(ctx.uow(), year, limit, offset)
