"""The benefits register, for approval systems: one call per enterprise, or paginated lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from credit_ledger.domain.entitlements import Entitlement
from credit_ledger.entrypoints.http.deps import BENEFITS_READ, READ, Ctx
from credit_ledger.entrypoints.http.schemas import BenefitListOut, BenefitsOut
from credit_ledger.service_layer import queries
from servicekit.auth import Principal, require

router = APIRouter(prefix="/v1/benefits", tags=["benefits"])


@router.get("/{uscc}", response_model=BenefitsOut,
            summary="Current entitlements of an enterprise: which, why, since when")
async def enterprise_benefits(uscc: str, ctx: Ctx, principal: Principal = require(READ, BENEFITS_READ)) -> object:
    return await queries.benefits_of(ctx.uow(), uscc)


@router.get("", response_model=BenefitListOut, summary="Enterprises holding one entitlement, paginated by USCC")
async def benefit_list(
    ctx: Ctx,
    list_: Annotated[Entitlement, Query(alias="list", description="e.g. green_channel")],
    after: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    principal: Principal = require(READ, BENEFITS_READ),
) -> object:
    return await queries.holders_of(ctx.uow(), list_, after, limit)
