"""The map (一张图): parcels coloured by grade, filters, search; the GeoJSON it draws from."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from console.upstream import Calls, UpstreamError
from console.views.geo import GRADES, feature_collection
from console.web import CallsDep, SessionDep, Web, WebDep, render
from landgrade_reference.jurisdictions import JURISDICTIONS, known_jurisdiction
from servicekit.clock import current_year
from servicekit.problems import Problem, Text

router = APIRouter()

CATEGORIES = ("self_use", "approved_park", "urban_renewal")
PAGE = 500


def default_year(w: Web) -> int:
    """The last whole year: the one the yearly run grades."""
    return current_year(w.settings.clock()) - 1


def checked_filters(year: int | None, street: str | None, grade: str | None, category: str | None,
                    w: Web) -> tuple[int, str | None, str | None, str | None]:
    errors: list[dict[str, Any]] = []
    if street and known_jurisdiction(street) is None:
        errors.append({"field": "street", "in": "query",
                       "message": Text("不是亦庄的街道或镇", "not a street or town of E-Town")})
    if grade and grade not in GRADES:
        errors.append({"field": "grade", "in": "query", "message": Text("应为 A、B、C 或 D", "must be A, B, C or D")})
    if category and category not in CATEGORIES:
        errors.append({"field": "category", "in": "query", "message": Text("不是允许的类别", "not a parcel category")})
    if errors:
        names = ", ".join(str(e["field"]) for e in errors)
        raise Problem(422, Text("请求参数有误", "Invalid request"),
                      Text(f"请检查这些字段：{names}。", f"Check these fields: {names}."), errors=errors)
    return year or default_year(w), street or None, grade or None, category or None


async def holder_names(calls: Calls, w: Web, usccs: set[str]) -> dict[str, str]:
    """Enterprise names by USCC, remembered for a minute (names change rarely; many parcels share a holder)."""
    cache: dict[str, tuple[str, float]] = w.__dict__.setdefault("_names", {})
    now = asyncio.get_running_loop().time()
    missing = [u for u in usccs if u not in cache or now - cache[u][1] > 60]
    gate = asyncio.Semaphore(16)

    async def one(uscc: str) -> None:
        async with gate:
            found = await calls.maybe("registry", f"/v1/enterprises/{uscc}")
            if isinstance(found, dict):
                cache[uscc] = (str(found.get("name") or ""), now)

    await asyncio.gather(*(one(u) for u in missing))
    return {u: cache[u][0] for u in usccs if u in cache}


async def street_collection(calls: Calls, w: Web, year: int, street: str | None, grade: str | None,
                            category: str | None) -> dict[str, Any]:
    parcels, grades = await asyncio.gather(
        calls.pages("registry", "/v1/parcels", "after", "next_after", PAGE, street=street, category=category),
        calls.pages("evaluation", "/v1/grades", "after", "next", 1000, street=street, year=year, grade=grade))
    by_parcel = {g["parcel_id"]: g for g in grades}
    if grade:
        parcels = [p for p in parcels if p["parcel_id"] in by_parcel]
    names = await holder_names(calls, w, {p["rights_holder"] for p in parcels if p.get("rights_holder")})
    collection = feature_collection(parcels, by_parcel, names)
    collection["year"] = year
    return collection


def _refused(error: UpstreamError) -> Problem:
    status = error.status if error.status in (401, 403, 404, 422) else 502
    return Problem(status, Text("上游服务拒绝了请求", "A service refused the request"),
                   f"{error.service}: {error.title}", type_="https://landgrade.example/problems/upstream")


@router.get("/map/parcels.geojson")
async def parcels_geojson(w: WebDep, calls: CallsDep, year: int | None = Query(None, ge=2000, le=2100),
                          street: str | None = None, grade: str | None = None,
                          category: str | None = None) -> Response:
    year, street, grade, category = checked_filters(year, street, grade, category, w)
    try:
        collection = await street_collection(calls, w, year, street, grade, category)
    except UpstreamError as error:
        raise _refused(error) from None
    return JSONResponse(collection, media_type="application/geo+json")


@router.get("/map")
async def map_page(request: Request, w: WebDep, session: SessionDep, year: int | None = Query(None, ge=2000, le=2100),
                   street: str | None = None, grade: str | None = None, category: str | None = None) -> Response:
    year, street, grade, category = checked_filters(year, street, grade, category, w)
    latest = default_year(w) + 1
    return render(request, "map.html", session, year=year, street=street or "", grade=grade or "",
                  category=category or "", years=list(range(latest, latest - 5, -1)), streets=JURISDICTIONS,
                  categories=CATEGORIES, grades=GRADES, tile_url=w.settings.tile_url or "",
                  tile_attribution=w.settings.tile_attribution)


@router.get("/map/search")
async def search(request: Request, w: WebDep, session: SessionDep, calls: CallsDep,
                 q: str = Query("", max_length=100), year: int | None = Query(None, ge=2000, le=2100),
                 street: str | None = None) -> Response:
    """A parcel id finds that parcel; any other text, the parcels whose holder's name holds it."""
    text = q.strip()
    hits: list[dict[str, Any]] = []
    if text:
        exact = await calls.maybe("registry", f"/v1/parcels/{text.upper()}")
        if isinstance(exact, dict):
            hits = [{"parcel_id": exact["parcel_id"], "name": exact.get("name"), "holder_name": ""}]
        else:
            year, street, _, _ = checked_filters(year, street, None, None, w)
            try:
                collection = await street_collection(calls, w, year, street, None, None)
            except UpstreamError as error:
                raise _refused(error) from None
            hits = [f["properties"] for f in collection["features"]
                    if text.lower() in str(f["properties"].get("holder_name") or "").lower()
                    or text.upper() in f["properties"]["parcel_id"]][:50]
    return render(request, "search_results.html", session, hits=hits, q=text)
