"""Acts that end parcels or make new ones (分宗, 合宗, 收回) and the change of use (变更用途): each
with its document and the day it takes effect, answered 201 when written and 200 with
`change: unchanged` when the same act was sent again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from parcel_registry.domain.history import Act
from parcel_registry.domain.records import Change
from parcel_registry.entrypoints.http.contract_types import IdPath
from parcel_registry.entrypoints.http.deps import PARCELS_WRITE, Ctx, path_id
from parcel_registry.entrypoints.http.parcels import CONFLICT
from parcel_registry.entrypoints.http.rules import ACT_DATE_RULE, child_ids_rule, stated
from parcel_registry.entrypoints.http.schemas import MAX_NEW_PARCELS, EndOfRightIn, MergeIn, SplitIn, UseChangeIn
from parcel_registry.entrypoints.http.schemas_responses import parcel_view
from parcel_registry.service_layer import acts
from servicekit.auth import Principal, require
from servicekit.clock import today

WRITTEN: dict[int | str, dict[str, Any]] = {201: {"description": "recorded"},
                                            200: {"description": "the same act was recorded before: nothing changed"},
                                            **CONFLICT}


def _answer(body: dict[str, Any], change: Change) -> JSONResponse:
    body["change"] = change.value
    return JSONResponse(jsonable_encoder(body), status_code=200 if change is Change.UNCHANGED else 201)


def router() -> APIRouter:
    r = APIRouter(tags=["parcels"])

    @r.post("/v1/parcels/{parcel_id}/splits", summary="Split (分宗) a parcel into new parcels from a date",
            description="The children's areas sum exactly to the parcel's on file (409 naming `children[].area_m2` "
            "otherwise); their ids are new to the ledger. The parcel ends on `effective_on`, kept with its "
            "`successors`; each child names it in `predecessors` and has its street, category, holder and flags.",
            responses=WRITTEN, openapi_extra=stated(ACT_DATE_RULE, child_ids_rule(MAX_NEW_PARCELS)))
    async def split(
        parcel_id: IdPath, body: SplitIn, ctx: Ctx, principal: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.document_ref)
        children = [c.to_domain(c.area_m2) for c in body.children]
        parent, made, change = await acts.split(
            ctx.uow(), ctx.equity_rules, path_id(parcel_id, "parcel_id"), children, body.effective_on, act,
            today(ctx.clock))
        return _answer({"parent": parcel_view(parent), "children": [parcel_view(c) for c in made]}, change)

    @r.post("/v1/parcel-merges", summary="Merge (合宗) parcels of one holder into a new parcel from a date",
            description="The parcels share holder, street and category (409 otherwise); the new parcel's area "
            "is their sum. Each merged parcel ends on `effective_on` with the new one as its successor.",
            responses=WRITTEN, openapi_extra=stated(ACT_DATE_RULE))
    async def merge(body: MergeIn, ctx: Ctx, principal: Principal = require(PARCELS_WRITE)) -> JSONResponse:
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.document_ref)
        new = body.new_parcel.to_domain(Decimal(0))  # the area is the merged parcels' sum: `acts.merge`
        made, merged, change = await acts.merge(
            ctx.uow(), ctx.equity_rules, body.parcel_ids, new, body.effective_on, act, today(ctx.clock))
        return _answer({"parcel": parcel_view(made), "merged": [parcel_view(m) for m in merged]}, change)

    @r.post("/v1/parcels/{parcel_id}/end-of-right", summary="End a parcel's land-use right (收回) from a date",
            description="The parcel is kept, ended on `effective_on` with no successor.", responses=WRITTEN,
            openapi_extra=stated(ACT_DATE_RULE))
    async def end_of_right(
        parcel_id: IdPath, body: EndOfRightIn, ctx: Ctx, principal: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.document_ref)
        stored, change = await acts.end_of_right(
            ctx.uow(), ctx.equity_rules, path_id(parcel_id, "parcel_id"), body.effective_on, act, today(ctx.clock))
        return _answer(parcel_view(stored), change)

    @r.post("/v1/parcels/{parcel_id}/use-changes", summary="Change a parcel's use (变更用途) from a date",
            responses=WRITTEN, openapi_extra=stated(ACT_DATE_RULE))
    async def change_use(
        parcel_id: IdPath, body: UseChangeIn, ctx: Ctx, principal: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.document_ref)
        stored, change = await acts.change_use(
            ctx.uow(), ctx.equity_rules, path_id(parcel_id, "parcel_id"), body.category, body.effective_on, act,
            today(ctx.clock))
        return _answer(parcel_view(stored), change)

    return r
