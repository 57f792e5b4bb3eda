"""Lists: A, green channel, C, D for a year and street, on screen and as XLSX or CSV (the
project's one export module writes them, as the CLI's `landgrade export` does)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages.map import checked_filters, holder_names
from console.upstream import Calls, UpstreamError
from console.web import CallsDep, SessionDep, Web, WebDep, lang_of, render
from landgrade.exports import write_report
from landgrade.lists import BENEFIT_COLUMNS, GRADE_COLUMNS, grade_row
from landgrade_reference.jurisdictions import JURISDICTIONS
from servicekit.problems import Problem, Text

router = APIRouter()

LISTS = ("A", "green", "C", "D")
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TITLES = {"A": ("A类名单", "A list"), "green": ("绿色通道名单", "Green channel"),
          "C": ("C类名单", "C list"), "D": ("D类名单", "D list")}


async def grade_rows(calls: Calls, w: Web, grade: str, year: int, street: str | None,
                     lang: str) -> list[dict[str, Any]]:
    grades = await calls.pages("evaluation", "/v1/grades", "after", "next", 1000, grade=grade, year=year, street=street)
    gate = asyncio.Semaphore(16)

    async def detail(item: dict[str, Any]) -> tuple[Any, Any]:
        async with gate:
            document, parcel = await asyncio.gather(
                calls.maybe("evaluation", f"/v1/parcels/{item['parcel_id']}/grade", year=year),
                calls.maybe("registry", f"/v1/parcels/{item['parcel_id']}"))
            return document, parcel

    details = await asyncio.gather(*(detail(g) for g in grades))
    names = await holder_names(calls, w, {g["holder_uscc"] for g in grades if g.get("holder_uscc")})
    return [grade_row(g, d if isinstance(d, dict) else None, p if isinstance(p, dict) else None,
                      names.get(g.get("holder_uscc") or ""), lang) for g, (d, p) in zip(grades, details, strict=True)]


async def benefit_rows(calls: Calls) -> list[dict[str, Any]]:
    items = await calls.pages("credit", "/v1/benefits", "after", "next", 500, list="green_channel")
    return [{"uscc": i.get("uscc"), "name": i.get("name"), "since": i.get("since"), "reason": i.get("reason")}
            for i in items]


def _which(kind: str) -> str:
    if kind not in LISTS:
        raise Problem(422, Text("请求参数有误", "Invalid request"), errors=[
            {"field": "list", "in": "query", "message": Text("应为 A、green、C 或 D", "must be A, green, C or D")}])
    return kind


async def rows_of(calls: Calls, w: Web, kind: str, year: int, street: str | None,
                  lang: str) -> tuple[tuple[Any, ...], list[dict[str, Any]]]:
    try:
        if kind == "green":
            return BENEFIT_COLUMNS, await benefit_rows(calls)
        return GRADE_COLUMNS, await grade_rows(calls, w, kind, year, street, lang)
    except UpstreamError as error:
        raise Problem(error.status if error.status in (401, 403) else 502,
                      Text("上游服务拒绝了请求", "A service refused the request"), f"{error.service}: {error.title}",
                      type_="https://landgrade.example/problems/upstream") from None


@router.get("/lists")
async def lists_page(request: Request, w: WebDep, session: SessionDep, calls: CallsDep,
                     kind: str = Query("A", alias="list"), year: int | None = Query(None, ge=2000, le=2100),
                     street: str | None = None) -> Response:
    kind = _which(kind)
    year, street, _, _ = checked_filters(year, street, None, None, w)
    lang = lang_of(request)
    columns, rows = await rows_of(calls, w, kind, year, street, lang)
    latest = year + 1
    return render(request, "lists.html", session, kind=kind, kinds=LISTS, titles=TITLES, year=year,
                  street=street or "", streets=JURISDICTIONS, years=list(range(latest, latest - 5, -1)),
                  columns=columns, rows=rows)


@router.get("/lists/export.{suffix}")
async def export(request: Request, suffix: str, w: WebDep, session: SessionDep, calls: CallsDep,
                 kind: str = Query("A", alias="list"), year: int | None = Query(None, ge=2000, le=2100),
                 street: str | None = None) -> Response:
    if suffix not in MEDIA:
        raise Problem(404, Text("不支持的格式", "Unknown format"),
                      Text("可下载 .xlsx 或 .csv。", "Download .xlsx or .csv."))
    kind = _which(kind)
    year, street, _, _ = checked_filters(year, street, None, None, w)
    lang = lang_of(request)
    columns, rows = await rows_of(calls, w, kind, year, street, lang)
    title = TITLES[kind][1 if lang == "en" else 0]
    about = [("名单" if lang == "zh" else "List", title), ("年度" if lang == "zh" else "Year", str(year)),
             ("街道/镇" if lang == "zh" else "Street or town", street or ("全部" if lang == "zh" else "all")),
             ("导出人" if lang == "zh" else "By", session.name),
             ("导出时间（北京时间）" if lang == "zh" else "Exported at (Beijing time)",
              w.now().strftime("%Y-%m-%d %H:%M"))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"list.{suffix}"
        await asyncio.to_thread(write_report, path, columns, rows, about, lang, title)
        content = path.read_bytes()
    name = f"{title}-{year}{'-' + street if street else ''}.{suffix}"
    return Response(content, media_type=MEDIA[suffix], headers={
        "Content-Disposition": f"attachment; filename=\"list.{suffix}\"; filename*=UTF-8''{quote(name)}"})
