"""The overview (land staff, admin): grade counts per street for a year, movement year on year,
overdue cases, suspected occupants waiting for inspection, objections open."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages.map import default_year
from console.upstream import UpstreamError
from console.views.geo import GRADES
from console.views.overview import movement
from console.web import CallsDep, SessionDep, WebDep, render

router = APIRouter()

OPEN_OBJECTION_STATES = ("open", "filed", "pending", "submitted")


@router.get("/overview")
async def overview_page(request: Request, w: WebDep, session: SessionDep, calls: CallsDep,
                        year: int | None = Query(None, ge=2000, le=2100)) -> Response:
    year = year or default_year(w)
    summary, overdue, tasks, objections = await calls.gather(
        calls.maybe("evaluation", "/v1/grades/summary", year=year),
        calls.maybe("enforcement", "/v1/cases", overdue=True, limit=1),
        calls.maybe("enforcement", "/v1/inspection-tasks", status="open", limit=1),
        calls.maybe("evaluation", "/v1/objections", limit=500))
    moved: dict[str, int] | None = None
    try:
        this_year, last_year = await calls.gather(
            calls.pages("evaluation", "/v1/grades", "after", "next", 1000, year=year),
            calls.pages("evaluation", "/v1/grades", "after", "next", 1000, year=year - 1))
        moved = movement(this_year, last_year)
    except UpstreamError:
        moved = None
    open_objections: Any = objections
    if isinstance(objections, dict):
        open_objections = sum(1 for o in objections.get("items") or [] if o.get("state") in OPEN_OBJECTION_STATES)
    latest = default_year(w) + 1
    return render(request, "overview.html", session, year=year, years=list(range(latest, latest - 5, -1)),
                  summary=summary, overdue=overdue, tasks=tasks, open_objections=open_objections, moved=moved,
                  grades=GRADES, is_error=lambda value: isinstance(value, UpstreamError))
