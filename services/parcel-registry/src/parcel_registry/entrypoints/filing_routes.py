"""Revenue filings from the tax system: one at a time, or in bulk (JSON array or NDJSON)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from parcel_registry.adapters import filing_store
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.filings import Outcome
from parcel_registry.entrypoints.batch_lines import BatchTally, read_lines
from parcel_registry.entrypoints.batch_writer import ChunkWriter
from parcel_registry.entrypoints.deps import READ_SCOPES, RegistryDep, invalid, path_id
from parcel_registry.entrypoints.filing_answer import filing_answer
from parcel_registry.entrypoints.requests import FilingIn
from parcel_registry.entrypoints.views import attribution_view, filing_view
from parcel_registry.service_layer.coalescing import FilingCoalescer
from parcel_registry.service_layer.registry import NotFound
from servicekit.auth import Principal, require
from servicekit.problems import Problem


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/revenue-filings", tags=["revenue filings"])

    @r.post(
        "",
        summary="One revenue filing (or a correction: the next revision of a filing id)",
        responses={
            200: {"description": "already on record exactly so: nothing changed"},
            201: {"description": "accepted (a new filing or a revision)"},
            409: {"description": "the filing id is on record with other content, or the revision is not the next"},
            422: {"description": "invalid fields, or a parcel that is not in the ledger"},
        },
        status_code=201,
    )
    async def post_filing(
        body: FilingIn, request: Request, principal: Principal = require("filings:write")
    ) -> Response:
        try:
            filing = body.to_domain()
        except DomainValidationError as bad:
            raise invalid(bad) from None
        coalescer: FilingCoalescer = request.app.state.filing_coalescer
        result = await coalescer.submit(filing, principal.subject)
        if result.outcome is None:
            raise Problem(
                422,
                "Unknown parcel",
                result.reason,
                errors=[{"field": result.field, "in": "body", "message": result.reason}],
            )
        if result.outcome is Outcome.CONFLICT:
            raise Problem(
                409,
                "Conflicting filing",
                result.reason,
                errors=[{"field": "revision", "in": "body", "message": result.reason}],
            )
        answer = filing_answer(result, filing)
        assert answer is not None  # every rejection was answered above
        status, document = answer
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
    async def post_batch(
        request: Request, registry: RegistryDep, principal: Principal = require("filings:write")
    ) -> dict[str, Any]:
        tally = BatchTally()
        writer = ChunkWriter(registry, principal.subject, tally)
        chunk, taken = [], 0
        try:
            async for line, parsed in read_lines(request):
                await writer.pause(line)
                taken += 1
                if taken > registry.max_batch_filings:
                    tally.reject(line, None, f"more than {registry.max_batch_filings} filings in one call: this "
                                 "line was not taken; send it in another call", "over_limit")
                    continue
                if isinstance(parsed, str):
                    tally.reject(line, None, parsed)
                    continue
                chunk.append((line, parsed))
                if len(chunk) >= registry.filing_chunk_size:
                    await writer.write(chunk)
                    chunk = []
            if chunk:
                await writer.write(chunk)
        finally:
            await writer.settle()
        return tally.report()

    @r.get(
        "/{filing_id}", summary="Every revision of a filing, for audit: what was sent, by whom, when, and where it went"
    )
    async def get_filing(
        filing_id: str, registry: RegistryDep, _: Principal = require(*READ_SCOPES, "filings:write")
    ) -> dict[str, Any]:
        async with registry.db.sessions() as session:
            trail = await filing_store.audit_trail(session, path_id(filing_id, "filing_id"))
        if not trail:
            raise NotFound("filing", filing_id)
        return {
            "filing_id": filing_id,
            "current_revision": max(t["filing"].revision for t in trail),
            "revisions": [
                {
                    **filing_view(t["filing"]),
                    "received_at": t["received_at"],
                    "received_by": t["received_by"],
                    "is_current": t["is_current"],
                    "attribution": attribution_view(t["attribution"]),
                }
                for t in trail
            ],
        }

    return r
