"""Revenue filings from the tax system: one at a time, or in bulk (JSON array or NDJSON).

The single POST is most often answered before routing by `filing_fast_path.py`, with the same
intake handler and the same answers as this route."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from parcel_registry.entrypoints.http.batch_lines import read_lines
from parcel_registry.entrypoints.http.contract_types import IdPath
from parcel_registry.entrypoints.http.deps import FILINGS_SCOPE, READ_SCOPES, Ctx, path_id
from parcel_registry.entrypoints.http.rules import FILING_YEAR_RULE, stated
from parcel_registry.entrypoints.http.schemas import FilingIn
from parcel_registry.entrypoints.http.schemas_responses import filing_answer, trail_view
from parcel_registry.service_layer import intake, queries
from servicekit.auth import Principal, require
from servicekit.clock import current_year

PATH = "/v1/revenue-filings"


def router() -> APIRouter:
    r = APIRouter(prefix=PATH, tags=["revenue filings"])

    @r.post(
        "",
        summary="One revenue filing (or a correction: the next revision of a filing id)",
        responses={
            200: {"description": "already on record exactly so: nothing changed"},
            201: {"description": "accepted (a new filing or a revision)"},
            409: {"description": "the filing id is on record with other content, the revision is not the next, "
                                 "or the parcel named is not in the ledger (`unknown-parcel`)"},
            422: {"description": "invalid fields"},
        },
        status_code=201,
        openapi_extra=stated(FILING_YEAR_RULE),
    )
    async def post_filing(body: FilingIn, ctx: Ctx, principal: Principal = require(FILINGS_SCOPE)) -> Response:
        status, document = filing_answer(
            await intake.receive_filing(ctx.filings, body, principal.subject, current_year(ctx.clock)))
        return Response(document, status_code=status, media_type="application/json")

    @r.post(
        "/batch",
        summary="Many revenue filings: a JSON array, or NDJSON (one filing per line)",
        description="Lines are checked one by one and written in chunks; the answer counts accepted, duplicate "
        "and rejected lines and gives the reason for each rejected one. Re-sending a batch is safe.",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/FilingIn"}}
                    },
                    "application/x-ndjson": {"schema": {"type": "string"}},
                }
            }
        },
    )
    async def post_batch(request: Request, ctx: Ctx, principal: Principal = require(FILINGS_SCOPE)) -> dict[str, Any]:
        return await intake.receive_batch(
            ctx.uow(plan_cache_mode="auto"), read_lines(request), principal.subject,
            chunk_size=ctx.filing_chunk_size, max_filings=ctx.max_batch_filings, current_year=current_year(ctx.clock),
        )

    @r.get(
        "/{filing_id}", summary="Every revision of a filing, for audit: what was sent, by whom, when, and where it went"
    )
    async def get_filing(
        filing_id: IdPath, ctx: Ctx, _: Principal = require(*READ_SCOPES, FILINGS_SCOPE)
    ) -> dict[str, Any]:
        return trail_view(filing_id, await queries.filing_trail(ctx.uow(), path_id(filing_id, "filing_id")))

    return r
