"""Enterprises from the business registry: people, shareholders, equity links, related parties."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from parcel_registry.domain.errors import DomainValidationError, FieldError
from parcel_registry.domain.history import Act
from parcel_registry.domain.records import Change
from parcel_registry.entrypoints.http.batch_lines import read_items
from parcel_registry.entrypoints.http.contract_types import HISTORY_AFTER, HISTORY_LIMIT, UsccPath, after_entry
from parcel_registry.entrypoints.http.deps import ENTERPRISES_WRITE, READ_SCOPES, Ctx, path_uscc
from parcel_registry.entrypoints.http.rules import SHARES_RULE, listed_once_rules, stated
from parcel_registry.entrypoints.http.schemas import (
    MAX_RESPONSIBLE_PERSONS,
    MAX_SHAREHOLDERS,
    EnterpriseIn,
    EnterpriseLineIn,
)
from parcel_registry.entrypoints.http.schemas_responses import enterprise_view, history_view, link_view, related_view
from parcel_registry.service_layer import enterprises as handlers
from parcel_registry.service_layer import queries
from parcel_registry.service_layer.enterprises import EnterpriseLine
from servicekit.auth import Principal, require

MAX_BATCH_ENTERPRISES = 10_000


def enterprise_line(item: Any) -> EnterpriseLine | str:
    """A batch line's enterprise, or why it is none (field by field, as the single PUT says)."""
    if not isinstance(item, dict):
        return "an enterprise must be a JSON object"
    try:
        body = EnterpriseLineIn.model_validate(item)
        enterprise = body.to_domain(body.uscc)
    except ValidationError as bad:
        reason = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'enterprise'}: {e['msg']}" for e in bad.errors())
    except DomainValidationError as bad:
        reason = str(_as_sent(bad, body))
    else:
        return EnterpriseLine(enterprise, body.effective_on, body.reference, body.reason)
    # The reason goes into a UTF-8 answer: a lone surrogate it quotes is written as its escape.
    return reason.encode("utf-8", "backslashreplace").decode("utf-8")


def _as_sent(error: DomainValidationError, body: EnterpriseIn) -> DomainValidationError:
    """The errors under the names the request used: a shareholder sent with the deprecated
    `share` has its share's problems named `share`."""
    legacy = {f"shareholders[{i}].share_pct" for i, s in enumerate(body.shareholders) if s.share_pct is None}
    return DomainValidationError([
        FieldError(e.field.removesuffix("_pct") if e.field in legacy else e.field, e.reason) for e in error.errors])

Depth = Query(None, ge=1, le=10, description="steps of shareholding to follow (default: the service setting)")


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])

    @r.put("/{uscc}", summary="Register or change an enterprise (as the business registry reports it)",
           responses={201: {"description": "registered (the enterprise was new)"}},
           openapi_extra=stated(SHARES_RULE, *listed_once_rules(MAX_RESPONSIBLE_PERSONS, MAX_SHAREHOLDERS)))
    async def put_enterprise(
        uscc: UsccPath, body: EnterpriseIn, ctx: Ctx, principal: Principal = require(ENTERPRISES_WRITE)
    ) -> JSONResponse:
        try:
            enterprise = body.to_domain(path_uscc(uscc))
        except DomainValidationError as bad:
            raise _as_sent(bad, body) from None
        act = Act(principal.subject, ctx.clock.now(), body.reason, body.reference)
        stored, change = await handlers.put_enterprise(ctx.uow(), enterprise, ctx.equity_rules, act,
                                                       body.effective_on)
        view = enterprise_view(stored, ctx.vault.reveal if principal.is_admin else None) | {"change": change.value}
        return JSONResponse(jsonable_encoder(view), status_code=201 if change is Change.CREATED else 200)

    @r.post(
        "/batch",
        summary="Many enterprises from the business registry: a JSON array, or NDJSON (one per line)",
        description="Each line is an enterprise as `PUT /v1/enterprises/{uscc}` takes it, with its `uscc` and "
        "the day the change took effect (`effective_on`). Lines are checked and written one by one; the answer "
        "counts created, updated, unchanged and rejected lines and gives the reason for each rejected one. "
        f"At most {MAX_BATCH_ENTERPRISES} lines per call. Re-sending a batch is safe: a line already on record "
        "exactly so changes nothing.",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/EnterpriseLineIn"}}
                    },
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def post_batch(
        request: Request, ctx: Ctx, principal: Principal = require(ENTERPRISES_WRITE)
    ) -> dict[str, Any]:
        act = Act(principal.subject, ctx.clock.now())
        return await handlers.put_enterprises(ctx.uow, read_items(request, enterprise_line, "enterprises"),
                                              ctx.equity_rules, act, MAX_BATCH_ENTERPRISES)

    @r.get("/{uscc}", summary="An enterprise; ID numbers are masked unless the caller is admin")
    async def get_enterprise(uscc: UsccPath, ctx: Ctx, principal: Principal = require(*READ_SCOPES)) -> dict[str, Any]:
        stored = await queries.enterprise(ctx.uow(), path_uscc(uscc))
        return enterprise_view(stored, ctx.vault.reveal if principal.is_admin else None)

    @r.get("/{uscc}/history", summary="What the business registry changed, when and why: newest first, "
                                     "cursor-paginated; ID numbers masked")
    async def enterprise_history(
        uscc: UsccPath, ctx: Ctx, _: Principal = require(*READ_SCOPES),
        after: str | None = HISTORY_AFTER, limit: int = HISTORY_LIMIT,
    ) -> dict[str, Any]:
        page = await queries.history(ctx.uow(), "enterprise", path_uscc(uscc), after_entry(after), limit)
        return history_view(page)

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
