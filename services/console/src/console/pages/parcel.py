"""The parcel health card (体检表): one page, and the same card as an htmx fragment for the map."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages.map import default_year, holder_names
from console.upstream import Calls, UpstreamError
from console.views.health import bars, what_it_would_take
from console.views.masking import masked
from console.web import CallsDep, SessionDep, Web, WebDep, render
from servicekit.problems import Problem, Text

router = APIRouter()

_PARCEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


async def card_context(calls: Calls, w: Web, parcel_id: str, year: int | None, admin: bool) -> dict[str, Any]:
    year = year or default_year(w)  # the map's year: the last whole year, the one the yearly run grades
    if not _PARCEL_ID.match(parcel_id):
        raise Problem(422, Text("地块编号无效", "Invalid parcel id"),
                      errors=[{"field": "parcel_id", "in": "path", "message": Text("格式不符合要求", "malformed")}])
    parcel, grade, history, cases = await calls.gather(
        calls.maybe("registry", f"/v1/parcels/{parcel_id}"),
        calls.maybe("evaluation", f"/v1/parcels/{parcel_id}/grade", year=year),
        calls.maybe("evaluation", f"/v1/parcels/{parcel_id}/grades", limit=20),
        calls.maybe("enforcement", "/v1/cases", parcel_id=parcel_id, limit=50))
    if isinstance(parcel, UpstreamError) and isinstance(grade, UpstreamError):
        if parcel.status == 404 or grade.status == 404:
            raise Problem(404, Text("未知地块", "Unknown parcel"),
                          Text(f"地块 {parcel_id} 不存在或尚无评价。",
                               f"Parcel {parcel_id} does not exist or has no grade."),
                          type_="https://landgrade.example/problems/unknown-parcel")
    holder_uscc = (parcel.get("rights_holder") if isinstance(parcel, dict) else None) or \
        (grade.get("holder_uscc") if isinstance(grade, dict) else None)
    holder = benefits = ruleset = None
    if holder_uscc:
        holder, benefits = await calls.gather(calls.maybe("registry", f"/v1/enterprises/{holder_uscc}"),
                                              calls.maybe("credit", f"/v1/benefits/{holder_uscc}"))
    thresholds: dict[str, Any] = {}
    if isinstance(grade, dict) and grade.get("ruleset_id"):
        ruleset = await calls.maybe("evaluation", f"/v1/rulesets/{grade['ruleset_id']}")
        if isinstance(ruleset, dict):
            thresholds = ruleset.get("thresholds") or {}
    leases = (parcel.get("leases") or []) if isinstance(parcel, dict) else []
    tenant_names = await holder_names(calls, w, {lease["tenant_uscc"] for lease in leases if lease.get("tenant_uscc")})
    context = {
        "parcel_id": parcel_id, "parcel": parcel, "grade": grade, "history": history, "cases": cases,
        "holder": holder, "benefits": benefits, "leases": leases, "tenant_names": tenant_names,
        "bars": bars(grade, thresholds) if isinstance(grade, dict) and thresholds else [],
        "steps": what_it_would_take(grade, thresholds) if isinstance(grade, dict) else [],
        "is_error": lambda value: isinstance(value, UpstreamError),
    }
    # Only the admin role reads unmasked personal data; for anyone else the card masks again.
    return context if admin else {k: masked(v) if isinstance(v, dict | list) else v for k, v in context.items()}


@router.get("/parcels/{parcel_id}/card")
async def card(request: Request, parcel_id: str, w: WebDep, session: SessionDep, calls: CallsDep,
               year: int | None = Query(None, ge=2000, le=2100)) -> Response:
    context = await card_context(calls, w, parcel_id, year, session.role == "admin")
    return render(request, "card.html", session, **context)


@router.get("/parcels/{parcel_id}")
async def parcel_page(request: Request, parcel_id: str, w: WebDep, session: SessionDep, calls: CallsDep,
                      year: int | None = Query(None, ge=2000, le=2100)) -> Response:
    context = await card_context(calls, w, parcel_id, year, session.role == "admin")
    return render(request, "parcel.html", session, **context)
