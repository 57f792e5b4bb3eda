"""Parcels, leases and a parcel's yearly output."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from landgrade_reference.jurisdictions import jurisdiction_from_text
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.history import Act
from parcel_registry.domain.key_patterns import ID_SCHEMA, USCC_SCHEMA
from parcel_registry.domain.parcels import ParcelCategory
from parcel_registry.domain.reasons_zh import in_chinese
from parcel_registry.domain.records import Change
from parcel_registry.entrypoints.http.contract_types import (
    HISTORY_AFTER,
    HISTORY_LIMIT,
    STREET_NAMES,
    IdPath,
    after_entry,
)
from parcel_registry.entrypoints.http.deps import PARCELS_WRITE, READ_SCOPES, Ctx, path_id, path_uscc
from parcel_registry.entrypoints.http.rules import LEASE_END_RULE, parcel_rules, stated
from parcel_registry.entrypoints.http.schemas import MAX_COMMITMENTS, MAX_FLAGS, LeaseIn, ParcelIn, TransferIn
from parcel_registry.entrypoints.http.schemas_responses import (
    history_view,
    lease_view,
    output_view,
    parcel_page_view,
    parcel_view,
)
from parcel_registry.service_layer import parcels as handlers
from parcel_registry.service_layer import queries, transfers
from servicekit.auth import Principal, require
from servicekit.clock import today
from servicekit.problems import Problem, Text

LEASE_FIELDS = {"tenant": "tenant_uscc", "starts_on": "start", "ends_on": "end"}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {
    "description": "the ledger's record rules the act out (problem+json, `act-conflict`; `errors[]` names the field)"}}


def _street(raw: str, where: str = "body") -> str:
    try:
        return jurisdiction_from_text(raw).code
    except ValueError as bad:
        message = Text(in_chinese(str(bad)), str(bad))
        raise Problem(
            422, Text("未知街道或镇", "Unknown street or town"), message,
            errors=[{"field": "street", "in": where, "message": message}],
        ) from None


def _written(body: dict[str, Any], change: Change) -> JSONResponse:
    body["change"] = change.value
    return JSONResponse(jsonable_encoder(body), status_code=201 if change is Change.CREATED else 200)


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/parcels", tags=["parcels"])

    @r.put("/{parcel_id}", summary="Register or change a parcel",
           description="A change of a registered parcel's area, holder, category or flags needs a `reason` "
           "(409 `reason` without one); a new parcel needs none.",
           responses={201: {"description": "registered"}, **CONFLICT},
           openapi_extra=stated(*parcel_rules(MAX_COMMITMENTS, MAX_FLAGS)))
    async def put_parcel(
        parcel_id: IdPath, body: ParcelIn, ctx: Ctx, principal: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        parcel = body.to_domain(path_id(parcel_id, "parcel_id"), _street(body.street))
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.reference)
        stored, change = await handlers.put_parcel(ctx.uow(), parcel, ctx.equity_rules, act)
        return _written(parcel_view(stored), change)

    @r.get("/{parcel_id}", summary="A parcel with its leases; `rights_holder` is the holder on `as_of`")
    async def get_parcel(
        parcel_id: IdPath, ctx: Ctx, _: Principal = require(*READ_SCOPES),
        as_of: date | None = Query(None, description="the day whose holder is named (default: today, Beijing time)"),
    ) -> dict[str, Any]:
        stored, leases = await queries.parcel(ctx.uow(), path_id(parcel_id, "parcel_id"))
        return parcel_view(stored, leases, as_of or today(ctx.clock))

    @r.post("/{parcel_id}/transfers", summary="Transfer (转让) the land-use right to a new holder from a date",
            responses={201: {"description": "transferred"}, **CONFLICT})
    async def transfer(
        parcel_id: IdPath, body: TransferIn, ctx: Ctx, principal: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.document_ref)
        stored, change = await transfers.transfer(
            ctx.uow(), ctx.equity_rules, path_id(parcel_id, "parcel_id"), body.new_holder, body.effective_on, act,
            today(ctx.clock))
        body_out = parcel_view(stored, as_of=body.effective_on) | {"change": change.value}
        return JSONResponse(jsonable_encoder(body_out), status_code=200 if change is Change.UNCHANGED else 201)

    @r.get("/{parcel_id}/history", summary="Who changed the parcel, when and why: newest first, cursor-paginated")
    async def parcel_history(
        parcel_id: IdPath, ctx: Ctx, _: Principal = require(*READ_SCOPES),
        after: str | None = HISTORY_AFTER, limit: int = HISTORY_LIMIT,
    ) -> dict[str, Any]:
        page = await queries.history(ctx.uow(), "parcel", path_id(parcel_id, "parcel_id"), after_entry(after), limit)
        return history_view(page)

    @r.get("", summary="Parcels, filtered by street, category and holder; keyset-paginated by parcel id")
    async def list_parcels(
        ctx: Ctx,
        _: Principal = require(*READ_SCOPES),
        street: str | None = Query(None, json_schema_extra={"enum": STREET_NAMES}),
        category: ParcelCategory | None = None,
        holder: str | None = Query(None, json_schema_extra=USCC_SCHEMA, description="the holder's USCC"),
        after: str | None = Query(None, json_schema_extra=ID_SCHEMA, description="the next_after of the previous page"),
        limit: int = Query(50, ge=1, le=500),
    ) -> dict[str, Any]:
        page = await queries.parcels(
            ctx.uow(),
            jurisdiction=_street(street, "query") if street else None,
            category=category.value if category else None,
            holder=path_uscc(holder, "holder", "query") if holder is not None else None,
            after=path_id(after, "after", "query") if after is not None else None,
            limit=limit,
        )
        return parcel_page_view(page)

    @r.put("/{parcel_id}/leases/{lease_id}", summary="Register or change a lease (approved or not)",
           description="Weighed against the parcel on file: a tenant that is the parcel's rights holder, or "
           "more space than the parcel has (with the other leases of the period), is a 409 naming the field.",
           responses={201: {"description": "registered"}, **CONFLICT}, openapi_extra=stated(LEASE_END_RULE))
    async def put_lease(
        parcel_id: IdPath, lease_id: IdPath, body: LeaseIn, ctx: Ctx, _: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        try:
            lease = body.to_domain(path_id(parcel_id, "parcel_id"), path_id(lease_id, "lease_id"))
            lease, linked, version, change = await handlers.put_lease(ctx.uow(), lease, ctx.equity_rules)
        except DomainValidationError as bad:
            raise bad.renamed(LEASE_FIELDS) from None
        return _written(lease_view(lease, linked, version), change)

    @r.get("/{parcel_id}/leases/{lease_id}", summary="One lease")
    async def get_lease(
        parcel_id: IdPath, lease_id: IdPath, ctx: Ctx, _: Principal = require(*READ_SCOPES)
    ) -> dict[str, Any]:
        found = await queries.lease(ctx.uow(), path_id(parcel_id, "parcel_id"), path_id(lease_id, "lease_id"))
        return lease_view(*found)

    @r.get("/{parcel_id}/output", summary="The year's output and tax of a parcel, with the filings that make it up")
    async def parcel_output(
        parcel_id: IdPath,
        ctx: Ctx,
        _: Principal = require(*READ_SCOPES),
        year: int = Query(..., ge=1949, le=2200),
    ) -> dict[str, Any]:
        stored, out = await queries.parcel_output(ctx.uow(), path_id(parcel_id, "parcel_id"), year)
        return output_view(stored, out)

    return r
