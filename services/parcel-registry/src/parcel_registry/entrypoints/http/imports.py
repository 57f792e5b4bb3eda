"""The parcel sheet import: synchronous for a small sheet, a polled job (202) for a large one."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from parcel_registry.domain.import_jobs import ImportJob
from parcel_registry.entrypoints.http.contract_types import IdPath
from parcel_registry.entrypoints.http.deps import PARCELS_WRITE, Ctx, path_id
from parcel_registry.entrypoints.http.import_docs import IMPORT_BODY, IMPORT_DESCRIPTION, XLSX
from parcel_registry.entrypoints.http.rules import SHEET_RULE, stated
from parcel_registry.service_layer import import_jobs, import_sheets
from parcel_registry.service_layer.parcels import (
    ImportLimits,
    ImportRefused,
    ImportTooLarge,
    check_sheet,
    import_checked,
)
from servicekit.auth import Principal, require
from servicekit.idempotency import IdempotencyKeyDep
from servicekit.problems import Language, Problem, Text, language

MULTIPART_SLACK = 64 * 1024  # the multipart envelope around the file: boundaries, part headers
JOBS = "/v1/parcels/import-jobs"


async def upload(request: Request, limits: ImportLimits) -> tuple[bytes, str]:
    """The uploaded sheet's bytes and file name, refused (413) as soon as they are known to be
    over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes + MULTIPART_SLACK:
        raise ImportTooLarge(limits.max_bytes)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        sent = form.get("file")
        if sent is None or isinstance(sent, str):
            raise Problem(
                422,
                Text("缺少文件", "No file"),
                Text("请在 multipart 字段 `file` 中上传表格。", "Send the sheet in the multipart field `file`."),
                errors=[{"field": "file", "in": "body", "message": Text("缺少文件", "missing")}],
            )
        if sent.size is not None and sent.size > limits.max_bytes:
            raise ImportTooLarge(limits.max_bytes)
        return await sent.read(limits.max_bytes + 1), sent.filename or ""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_bytes:
            raise ImportTooLarge(limits.max_bytes)
        chunks.append(chunk)
    return b"".join(chunks), ""


def job_view(job: ImportJob, reader: Language = "zh") -> dict[str, Any]:
    body: dict[str, Any] = {
        "job_id": job.job_id, "state": job.state.value, "file_name": job.file_name, "sha256": job.sha256,
        "size_bytes": job.size_bytes, "requested_by": job.requested_by, "requested_at": job.requested_at,
        "started_at": job.started_at, "finished_at": job.finished_at, "attempts": job.attempts,
        "href": f"{JOBS}/{job.job_id}",
    }
    if job.counts:
        body["result"] = job.counts
    if job.converted:
        body["converted"] = job.converted
    if job.failure is not None:
        body["failure"] = job.failure
        body["problems_total"] = job.problems_total
        body["problems"] = [p | {"message": p["message"][reader]} for p in job.problems]
    encoded: dict[str, Any] = jsonable_encoder(body)
    return encoded


def _accepted(job: ImportJob) -> JSONResponse:
    return JSONResponse(job_view(job), status_code=202, headers={"Location": f"{JOBS}/{job.job_id}"})


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/parcels", tags=["parcel import"])

    @r.post(
        "/import",
        summary="Import parcels from CSV or XLSX: every row checked, all or nothing",
        description=IMPORT_DESCRIPTION,
        openapi_extra=stated(SHEET_RULE, extra={"requestBody": IMPORT_BODY}),
        responses={
            202: {"description": "a large sheet: queued as an import job; poll the `Location`"},
            413: {"description": "the file is over the size limit; nothing was read"},
            422: {"description": "some rows are invalid, or there are too many rows; nothing was imported"},
        },
    )
    async def import_parcels(request: Request, ctx: Ctx, idempotency_key: IdempotencyKeyDep,
                             principal: Principal = require(PARCELS_WRITE)) -> JSONResponse:
        data, file_name = await upload(request, ctx.imports)
        key = idempotency_key.by(principal.subject) if idempotency_key else None
        rows: int | None = None
        if not ctx.import_jobs.wants_job(len(data)):
            try:
                result, columns = await asyncio.to_thread(check_sheet, data, ctx.imports)
                rows = result.rows
            except ImportRefused as refused:
                if not ctx.import_jobs.wants_job(len(data), refused.rows):
                    raise
                rows = refused.rows
            if not ctx.import_jobs.wants_job(len(data), rows):
                return JSONResponse(await import_checked(ctx.uow(), result, columns, ctx.equity_rules, key))
        job = await import_jobs.submit(ctx.uow(), data, file_name, principal.subject, key)
        ctx.job_worker.wake.set()
        return _accepted(job)

    @r.post(
        "/import/report",
        summary="The sheet given back as XLSX with every problem marked: bad cells red, a 错误说明 column",
        description="The same body as `POST /v1/parcels/import`; nothing is imported. The answer is the clerk's "
        "own sheet (a CSV comes back as XLSX) with each bad cell highlighted and, per row, what is wrong in "
        "Chinese; `X-Problems-Total` counts the problems (0: the sheet would import).",
        openapi_extra=stated(SHEET_RULE, extra={"requestBody": IMPORT_BODY}),
        response_class=Response,
        responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                         "description": "the annotated sheet"}},
    )
    async def import_report(request: Request, ctx: Ctx, _: Principal = require(PARCELS_WRITE)) -> Response:
        data, file_name = await upload(request, ctx.imports)
        found = await import_sheets.report(data, ctx.imports)
        name = (file_name.rsplit(".", 1)[0] or "parcels") + "-错误说明.xlsx"
        return Response(found.xlsx, media_type=XLSX, headers={
            "Content-Disposition": f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(name)}",
            "X-Problems-Total": str(found.problems_total)})

    @r.get(
        "/import-template",
        summary="The parcel sheet template (XLSX): Chinese headers, a 说明 sheet, drop-down lists",
        response_class=Response,
        responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                         "description": "the template"}},
    )
    async def import_template(_: Principal = require(PARCELS_WRITE)) -> Response:
        name = quote("地块导入模板.xlsx")
        return Response(await import_sheets.template_file(), media_type=XLSX, headers={
            "Content-Disposition": f"attachment; filename=\"parcels-template.xlsx\"; filename*=UTF-8''{name}"})

    @r.get("/import-jobs", summary="The caller's own import jobs, newest first")
    async def my_jobs(request: Request, ctx: Ctx, principal: Principal = require(PARCELS_WRITE),
                      limit: int = Query(50, ge=1, le=200)) -> dict[str, Any]:
        found = await import_jobs.jobs_of(ctx.uow(), principal.subject, limit)
        reader = language(request.headers.get("accept-language"))
        return {"items": [job_view(j, reader) for j in found]}

    @r.get("/import-jobs/{job_id}", summary="An import job: its state, counts and problems")
    async def one_job(job_id: IdPath, request: Request, ctx: Ctx,
                      _: Principal = require(PARCELS_WRITE)) -> dict[str, Any]:
        found = await import_jobs.job(ctx.uow(), path_id(job_id, "job_id"))
        return job_view(found, language(request.headers.get("accept-language")))

    return r
