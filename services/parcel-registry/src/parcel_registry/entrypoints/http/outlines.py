"""Parcel outlines (宗地轮廓) from a land office's zipped shapefile, reprojected to WGS 84."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from landgrade_reference.text import BLANKS
from parcel_registry.domain.history import Act
from parcel_registry.domain.outlines import AREA_WARNING_PCT, OutlineProblem
from parcel_registry.domain.records import Change
from parcel_registry.entrypoints.http.deps import PARCELS_WRITE, PROBLEM_TYPES, Ctx
from parcel_registry.entrypoints.http.rules import rule, stated
from parcel_registry.entrypoints.http.schemas_responses import plain
from parcel_registry.service_layer.outlines import (
    OutlineLimits,
    OutlinesRefused,
    ShapefileTooLarge,
    UnreadableShapefile,
    Written,
    check_outlines,
    import_outlines,
)
from servicekit.auth import Principal, require
from servicekit.problems import Problem, Text

LIMITS = OutlineLimits()
MULTIPART_SLACK = 64 * 1024  # the multipart envelope around the file: boundaries, part headers
OUTLINES_REFUSED = PROBLEM_TYPES + "outlines-refused"
OUTLINES_TOO_LARGE = PROBLEM_TYPES + "outlines-too-large"
ZIP = "application/zip"
FIELDS = ("match_field", "epsg", "reason", "reference")

DESCRIPTION = (
    "A land office's outlines, as a zipped shapefile (.shp, .shx, .dbf and .prj; a .cpg names the attribute "
    "encoding, else UTF-8 or GB 18030), in CGCS2000 or any CRS pyproj reads from the .prj (a Gauss-Krüger zone, "
    "e.g. EPSG:4527), or in the `epsg` stated (which overrides the .prj). Each polygon feature names its parcel "
    "in the attribute `match_field` (e.g. `DKBH`); its outline is reprojected to WGS 84 (longitude, latitude) "
    "and replaces the parcel's `geometry`, recorded in the parcel's history under `reason` and announced as a "
    "parcel change. All or nothing: a feature without the match field, no polygon, a self-intersecting ring, "
    "two overlapping outlines (both parcel ids named), an unknown parcel or an unreadable CRS refuse the file "
    f"(422, `errors[]` = feature, parcel_id, code, message). The zip is at most {LIMITS.max_bytes} bytes "
    f"({LIMITS.max_unzipped_bytes} inflated) and {LIMITS.max_features} features. The answer gives each parcel's "
    "outline area (on the WGS 84 ellipsoid, m²) beside the ledger's `area_m2`; a difference over "
    f"{AREA_WARNING_PCT} % sets `area_warning` (a warning: nothing is refused for it). The registry stores "
    "WGS 84 only; a map on a GCJ-02 basemap shifts outlines when it draws them."
)

BODY: dict[str, Any] = {
    "required": True,
    "content": {"multipart/form-data": {
        "schema": {
            "type": "object", "required": ["file", "match_field", "reason"], "additionalProperties": False,
            "properties": {
                "file": {"type": "string", "format": "binary", "maxLength": LIMITS.max_bytes,
                         "description": "the zipped shapefile (.shp, .shx, .dbf, .prj)"},
                "match_field": {"type": "string", "minLength": 1, "maxLength": 10,
                                "pattern": rf"^[{BLANKS}]*[^{BLANKS}]+[{BLANKS}]*$",
                                "description": "the attribute holding the parcel id (宗地编号), e.g. DKBH"},
                "epsg": {"type": "integer", "minimum": 1, "maximum": 999999,
                         "description": "the source CRS, when the .prj is missing or wrong (e.g. 4527)"},
                "reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": f"[^{BLANKS}]",
                           "description": "why the outlines change (recorded in each parcel's history)"},
                "reference": {"type": "string", "maxLength": 200, "description": "the survey's reference"},
            },
        },
        "encoding": {"file": {"contentType": ZIP}},
    }},
}

FILE_RULE = rule(["file"], f"须为 ZIP 压缩的 shapefile，至多 {LIMITS.max_features} 个面要素，彼此不重叠、不自相交。",
                 f"A zipped shapefile of at most {LIMITS.max_features} polygon features, none overlapping another "
                 "or intersecting itself.")


def _bad_field(name: str, zh: str, en: str) -> Problem:
    message = Text(zh, en)
    return Problem(422, Text("请求参数有误", "Invalid request"), message,
                   errors=[{"field": name, "in": "body", "message": message}])


def _too_large(error: ShapefileTooLarge) -> Problem:
    message = Text(f"超过上限 {error.limit}（{error.what}）。", f"The {error.what} exceeds the limit of {error.limit}.")
    status = 422 if error.what == "number of features" else 413
    return Problem(status, Text("轮廓文件过大", "Outline file too large"), message, type_=OUTLINES_TOO_LARGE,
                   errors=[{"field": "file", "in": "body", "message": message}], limit=error.limit)


def _refused(error: OutlinesRefused) -> Problem:
    def item(p: OutlineProblem) -> dict[str, Any]:
        return {"field": "file", "in": "body", "feature": p.feature, "parcel_id": p.parcel_id, "code": p.code,
                "message": Text(p.zh, p.en)}

    total = len(error.problems)
    return Problem(422, Text("轮廓导入被拒绝", "Outlines refused"),
                   Text(f"共发现 {total} 个问题，未写入任何轮廓。",
                        f"{total} problem(s) found; no outline was written."),
                   type_=OUTLINES_REFUSED, errors=[item(p) for p in error.problems], problems_total=total)


def outlines_view(written: list[Written]) -> dict[str, Any]:
    return {"updated": sum(w.change is Change.UPDATED for w in written), "parcels": [{
        "parcel_id": w.parcel_id, "feature": w.feature, "outline_area_m2": plain(w.area.outline_m2),
        "ledger_area_m2": plain(w.area.ledger_m2), "difference_pct": plain(w.area.difference_pct),
        "area_warning": w.area.over_threshold, "version": w.version, "change": w.change.value,
    } for w in written]}


async def _form(request: Request) -> tuple[bytes, dict[str, str]]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > LIMITS.max_bytes + MULTIPART_SLACK:
        raise ShapefileTooLarge(LIMITS.max_bytes, "file")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _bad_field("file", "请以 multipart/form-data 上传。", "Send a multipart/form-data body.")
    form = await request.form(max_files=1, max_fields=len(FIELDS))
    sent = form.get("file")
    if sent is None or isinstance(sent, str):
        raise _bad_field("file", "请在字段 `file` 中上传 ZIP 压缩的 shapefile。",
                         "Send the zipped shapefile as `file`.")
    if sent.size is not None and sent.size > LIMITS.max_bytes:
        raise ShapefileTooLarge(LIMITS.max_bytes, "file")
    data = await sent.read(LIMITS.max_bytes + 1)
    return data, {name: value.strip() for name in FIELDS if isinstance(value := form.get(name), str)}


def _epsg(raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 1_000_000:
        raise _bad_field("epsg", "epsg 须为 EPSG 代码（整数，如 4527）。",
                         "epsg must be an EPSG code (an integer, e.g. 4527).")
    return int(raw)


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/parcels", tags=["parcel outlines"])

    @r.post(
        "/outlines",
        summary="Set parcels' outlines from a zipped shapefile (CGCS2000 or the .prj's CRS) in WGS 84: all or nothing",
        description=DESCRIPTION,
        openapi_extra=stated(FILE_RULE, extra={"requestBody": BODY}),
        responses={
            413: {"description": "the zip is over the size limit; nothing was read"},
            422: {"description": "some features cannot become outlines, or too many; nothing was written"},
        },
    )
    async def import_outline_file(request: Request, ctx: Ctx,
                                  principal: Principal = require(PARCELS_WRITE)) -> JSONResponse:
        try:
            data, fields = await _form(request)
            match_field, reason = fields.get("match_field", ""), fields.get("reason", "")
            if not match_field:
                raise _bad_field("match_field", "请给出存放宗地编号的属性字段（如 DKBH）。",
                                 "Name the attribute holding the parcel id (e.g. DKBH).")
            if len(match_field) > 10:
                raise _bad_field("match_field", "dBase 属性字段名至多 10 个字符。",
                                 "A dBase field name has at most 10 characters.")
            if len(reason) > 500 or len(fields.get("reference", "")) > 200:
                name = "reason" if len(reason) > 500 else "reference"
                raise _bad_field(name, f"{name} 过长。", f"{name} is too long.")
            if not reason:
                raise _bad_field("reason", "更换地块轮廓须说明理由。", "A reason is required to change outlines.")
            epsg = _epsg(fields.get("epsg"))
            checked = await asyncio.to_thread(check_outlines, data, match_field, epsg, LIMITS)
            act = Act(principal.subject, ctx.clock.now(), reason, fields.get("reference") or None)
            written = await import_outlines(ctx.uow(), checked, ctx.equity_rules, act)
        except UnreadableShapefile as bad:
            raise Problem(422, Text("文件无法读取", "Unreadable file"), Text(bad.zh, bad.en),
                          errors=[{"field": "file", "in": "body", "message": Text(bad.zh, bad.en)}]) from None
        except ShapefileTooLarge as bad:
            raise _too_large(bad) from None
        except OutlinesRefused as refused:
            raise _refused(refused) from None
        return JSONResponse(jsonable_encoder(outlines_view(written)))

    return r
