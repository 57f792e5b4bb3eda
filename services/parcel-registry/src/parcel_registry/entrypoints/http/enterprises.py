"""Enterprises from the business registry: people, shareholders, equity links, related parties."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from parcel_registry.domain.errors import DomainValidationError, FieldError
from parcel_registry.domain.records import Change
from parcel_registry.entrypoints.http.contract_types import UsccPath
from parcel_registry.entrypoints.http.deps import ENTERPRISES_WRITE, READ_SCOPES, Ctx, path_uscc
from parcel_registry.entrypoints.http.schemas import EnterpriseIn
from parcel_registry.entrypoints.http.schemas_responses import enterprise_view, link_view, related_view
from parcel_registry.service_layer import enterprises as handlers
from parcel_registry.service_layer import queries
from servicekit.auth import Principal, require


def _as_sent(error: DomainValidationError, body: EnterpriseIn) -> DomainValidationError:
    """The errors under the names the request used: a shareholder sent with the deprecated
    `share` has its share's problems named `share`."""
    legacy = {f"shareholders[{i}].share_pct" for i, s in enumerate(body.shareholders) if s.share_pct is None}
    return DomainValidationError([
        FieldError(e.field.removesuffix("_pct") if e.field in legacy else e.field, e.reason) for e in error.errors])

Depth = Query(None, ge=1, le=10, description="steps of shareholding to follow (default: the service setting)")


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])

    @r.put("/{uscc}", summary="Register or change an enterprise (as the business registry reports it)")
    async def put_enterprise(
        uscc: UsccPath, body: EnterpriseIn, ctx: Ctx, principal: Principal = require(ENTERPRISES_WRITE)
    ) -> JSONResponse:
        try:
            enterprise = body.to_domain(path_uscc(uscc))
        except DomainValidationError as bad:
            raise _as_sent(bad, body) from None
        stored, change = await handlers.put_enterprise(ctx.uow(), enterprise, ctx.equity_rules)
        view = enterprise_view(stored, ctx.vault.reveal if principal.is_admin else None) | {"change": change.value}
        return JSONResponse(jsonable_encoder(view), status_code=201 if change is Change.CREATED else 200)

    @r.get("/{uscc}", summary="An enterprise; ID numbers are masked unless the caller is admin")
    async def get_enterprise(uscc: UsccPath, ctx: Ctx, principal: Principal = require(*READ_SCOPES)) -> dict[str, Any]:
        stored = await queries.enterprise(ctx.uow(), path_uscc(uscc))
        return enterprise_view(stored, ctx.vault.reveal if principal.is_admin else None)

    @r.get("/{uscc}/related", summary="Related parties: equity-linked enterprises or ones sharing a person")
    async def related(
        uscc: UsccPath, ctx: Ctx, _: Principal = require(*READ_SCOPES), depth: int | None = Depth
    ) -> dict[str, Any]:
        x = path_uscc(uscc)
        found = await queries.related(ctx.uow(), queries.rules_with_depth(ctx.equity_rules, depth), x)
        return related_view(x, found)

    @r.get("/{uscc}/equity-links/{other}", summary="Are two enterprises equity-linked, and how")
    async def equity_link(
        uscc: UsccPath, other: UsccPath, ctx: Ctx, _: Principal = require(*READ_SCOPES), depth: int | None = Depth
    ) -> dict[str, Any]:
        x, y = path_uscc(uscc), path_uscc(other, "other")
        rules = queries.rules_with_depth(ctx.equity_rules, depth)
        return link_view(x, y, rules, await queries.link(ctx.uow(), rules, x, y))

    return r
