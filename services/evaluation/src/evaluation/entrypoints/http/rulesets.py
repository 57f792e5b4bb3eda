"""Rulesets (versioned data) and what-if simulation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from evaluation.entrypoints.http.deps import ADMIN, READ, Ctx, unknown
from evaluation.entrypoints.http.ruleset_schema import RULESET_RULES
from evaluation.entrypoints.http.schemas import RulesetRequest, SimulationRequest
from evaluation.service_layer import queries
from evaluation.service_layer.rulesets import add_ruleset
from evaluation.service_layer.simulation import simulate
from servicekit.auth import Principal, require

router = APIRouter(prefix="/v1/rulesets", tags=["rulesets"])


@router.get("", summary="All rulesets")
async def listing(ctx: Ctx, _: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.rulesets(ctx.uow())


@router.get("/{ruleset_id}", summary="A ruleset document: thresholds, gap settings, clause texts")
async def one(ctx: Ctx, ruleset_id: str, _: Principal = require(*READ)) -> dict[str, Any]:
    found = await queries.ruleset(ctx.uow(), ruleset_id)
    if found is None:
        raise unknown("ruleset", ruleset_id)
    return found


@router.post("", status_code=201, summary="Add a ruleset (never changes past evaluations)",
             responses={409: {"description": "`based_on` names no stored ruleset (`unknown-ruleset`), or the id "
                                             "is taken by other settings (`ruleset-exists`)"}},
             openapi_extra={"x-landgrade-rules": RULESET_RULES})
async def create(ctx: Ctx, body: RulesetRequest, principal: Principal = require(ADMIN)) -> Any:
    ruleset, created = await add_ruleset(ctx.uow(), body.id, body.name, document=body.document,
                                         based_on=body.based_on, changes=body.changes, created_by=principal.subject)
    document = queries.ruleset_document(ruleset)
    return document if created else JSONResponse(document, status_code=200)


@router.post("/{ruleset_id}/simulate", summary="What-if: who would move between grades (nothing is stored)",
             responses={404: {"description": "No such ruleset"}}, openapi_extra={"x-landgrade-rules": RULESET_RULES})
async def what_if(ctx: Ctx, ruleset_id: str, body: SimulationRequest, _: Principal = require(ADMIN)) -> dict[str, Any]:
    try:
        return await simulate(ctx.uow(), ruleset_id, body.year, body.changes, body.limit)
    except LookupError:
        raise unknown("ruleset", ruleset_id) from None
