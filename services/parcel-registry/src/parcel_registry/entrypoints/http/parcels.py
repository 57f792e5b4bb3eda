"""Parcels, leases, the bulk import and a parcel's yearly output."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from landgrade_reference.jurisdictions import jurisdiction_from_text
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.parcels import ParcelCategory
from parcel_registry.domain.records import Change
from parcel_registry.entrypoints.http.deps import PARCELS_WRITE, READ_SCOPES, Ctx, path_id, path_uscc
from parcel_registry.entrypoints.http.schemas import LeaseIn, ParcelIn
from parcel_registry.entrypoints.http.schemas_responses import lease_view, output_view, parcel_page_view, parcel_view
from parcel_registry.service_layer import parcels as handlers
from parcel_registry.service_layer import queries
from parcel_registry.service_layer.parcels import ImportLimits, ImportTooLarge
from servicekit.auth import Principal, require
from servicekit.problems import Problem

LEASE_FIELDS = {"tenant": "tenant_uscc", "starts_on": "start", "ends_on": "end"}


def _street(raw: str, where: str = "body") -> str:
    try:
        return jurisdiction_from_text(raw).code
    except ValueError as bad:
        raise Problem(
            422, "Unknown street or town", str(bad), errors=[{"field": "street", "in": where, "message": str(bad)}]
        ) from None


MULTIPART_SLACK = 64 * 1024  # the multipart envelope around the file: boundaries, part headers


async def _upload(request: Request, limits: ImportLimits) -> bytes:
    """The uploaded sheet's bytes, refused (413) as soon as they are known to be over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes + MULTIPART_SLACK:
        raise ImportTooLarge(limits.max_bytes)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(
                422,
                "No file",
                "Send the sheet in the multipart field `file`.",
                errors=[{"field": "file", "in": "body", "message": "missing"}],
            )
        if upload.size is not None and upload.size > limits.max_bytes:
            raise ImportTooLarge(limits.max_bytes)
        return await upload.read(limits.max_bytes + 1)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_bytes:
            raise ImportTooLarge(limits.max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _written(body: dict[str, Any], change: Change) -> JSONResponse:
    body["change"] = change.value
    return JSONResponse(jsonable_encoder(body), status_code=201 if change is Change.CREATED else 200)


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/parcels", tags=["parcels"])

    @r.put("/{parcel_id}", summary="Register or change a parcel", responses={201: {"description": "registered"}})
    async def put_parcel(
        parcel_id: str, body: ParcelIn, ctx: Ctx, _: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        parcel = body.to_domain(path_id(parcel_id, "parcel_id"), _street(body.street))
        stored, change = await handlers.put_parcel(ctx.uow(), parcel, ctx.equity_rules)
        return _written(parcel_view(stored), change)

    @r.get("/{parcel_id}", summary="A parcel with its leases")
    async def get_parcel(parcel_id: str, ctx: Ctx, _: Principal = require(*READ_SCOPES)) -> dict[str, Any]:
        stored, leases = await queries.parcel(ctx.uow(), path_id(parcel_id, "parcel_id"))
        return parcel_view(stored, leases)

    @r.get("", summary="Parcels, filtered by street, category and holder; keyset-paginated by parcel id")
    async def list_parcels(
        ctx: Ctx,
        _: Principal = require(*READ_SCOPES),
        street: str | None = None,
        category: ParcelCategory | None = None,
        holder: str | None = None,
        after: str | None = Query(None, description="the next_after of the previous page"),
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

    @r.put("/{parcel_id}/leases/{lease_id}", summary="Register or change a lease (approved or not)")
    async def put_lease(
        parcel_id: str, lease_id: str, body: LeaseIn, ctx: Ctx, _: Principal = require(PARCELS_WRITE)
    ) -> JSONResponse:
        try:
            lease = body.to_domain(path_id(parcel_id, "parcel_id"), path_id(lease_id, "lease_id"))
            lease, linked, version, change = await handlers.put_lease(ctx.uow(), lease, ctx.equity_rules)
        except DomainValidationError as bad:
            raise bad.renamed(LEASE_FIELDS) from None
        return _written(lease_view(lease, linked, version), change)

    @r.get("/{parcel_id}/leases/{lease_id}", summary="One lease")
    async def get_lease(
        parcel_id: str, lease_id: str, ctx: Ctx, _: Principal = require(*READ_SCOPES)
    ) -> dict[str, Any]:
        found = await queries.lease(ctx.uow(), path_id(parcel_id, "parcel_id"), path_id(lease_id, "lease_id"))
        return lease_view(*found)

    @r.post(
        "/import",
        summary="Import parcels from CSV or XLSX: every row checked, all or nothing",
        description="Send the file as multipart field `file`, or as the raw body. Nothing is written unless "
        "every row is valid; a refusal lists the first problems as (row, column, reason) and counts them all "
        "(`problems_total`). The file's size and its number of rows are bounded (settings `import_max_bytes`, "
        "`import_max_rows`).",
        responses={
            413: {"description": "the file is over the size limit; nothing was read"},
            422: {"description": "some rows are invalid, or there are too many rows; nothing was imported"},
        },
    )
    async def import_parcels(request: Request, ctx: Ctx, _: Principal = require(PARCELS_WRITE)) -> dict[str, Any]:
        return await handlers.import_sheet(ctx.uow(), await _upload(request, ctx.imports), ctx.equity_rules,
                                           ctx.imports)

    @r.get("/{parcel_id}/output", summary="The year's output and tax of a parcel, with the filings that make it up")
    async def parcel_output(
        parcel_id: str,
        ctx: Ctx,
        _: Principal = require(*READ_SCOPES),
        year: int = Query(..., ge=1949, le=2200),
    ) -> dict[str, Any]:
        stored, out = await queries.parcel_output(ctx.uow(), path_id(parcel_id, "parcel_id"), year)
        return output_view(stored, out)

    return r
