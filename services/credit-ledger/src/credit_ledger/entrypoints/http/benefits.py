"""The benefits register, for approval systems: one call per enterprise, or paginated lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from credit_ledger.domain.entitlements import Entitlement
from credit_ledger.domain.subjects import USCC_SCHEMA, enterprise_uscc
from credit_ledger.entrypoints.http.deps import BENEFITS_READ, ENTERPRISE_LOOKUP, READ, Ctx
from credit_ledger.entrypoints.http.schemas import BenefitListOut, BenefitsOut
from credit_ledger.service_layer import queries
from credit_ledger.service_layer.access import ensure_acts_for, ensure_unbound
from servicekit.auth import Principal, require

router = APIRouter(prefix="/v1/benefits", tags=["benefits"])


@router.get("/{uscc}", response_model=BenefitsOut, responses=ENTERPRISE_LOOKUP,
            summary="Current entitlements of an enterprise: which, why, since when")
async def enterprise_benefits(
    uscc: Annotated[str, PathParam(max_length=100, json_schema_extra=USCC_SCHEMA,
                                   description="USCC, in any spelling `parse_uscc` accepts")],
    ctx: Ctx, principal: Principal = require(READ, BENEFITS_READ),
) -> object:
    code = enterprise_uscc(uscc, "uscc", "path")
    ensure_acts_for(principal, code)
    return await queries.benefits_of(ctx.uow(), code)


@router.get("", response_model=BenefitListOut, summary="Enterprises holding one entitlement, paginated by USCC",
            responses={403: {"description": "the token lacks the scope, or is bound (`uscc` claim) to one enterprise"},
                       422: {"description": "an unknown list, or `after` is not a valid USCC"}})
async def benefit_list(
    ctx: Ctx,
    list_: Annotated[Entitlement, Query(alias="list", description="e.g. green_channel")],
    after: Annotated[str | None, Query(max_length=100, json_schema_extra=USCC_SCHEMA,
                                       description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    principal: Principal = require(READ, BENEFITS_READ),
) -> object:
    ensure_unbound(principal)  # the list names other enterprises' benefits
    return await queries.holders_of(ctx.uow(), list_, enterprise_uscc(after, "after", "query") if after else None,
                                    limit)
