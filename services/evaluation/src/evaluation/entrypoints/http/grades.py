"""Read API: a parcel's current grade and history, lists by grade/street/year, and summaries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from evaluation.entrypoints.http.deps import READ, Ctx, Year
from evaluation.service_layer import queries
from servicekit.auth import Principal, require
from servicekit.problems import Problem

router = APIRouter(prefix="/v1", tags=["grades"])
_GRADE_DOCUMENT: dict[str, Any] = {"description": "The current grade with its reasons, metrics and flags",
                                   "content": {"application/json": {"schema": {"type": "object"}}}}
CURRENT_GRADE = "/v1/parcels/{parcel_id}/grade"  # also answered, when remembered, by `fast_path`


@router.get("/parcels/{parcel_id}/grade", summary="Current grade of a parcel, with its reasons",
            response_model=None, responses={200: _GRADE_DOCUMENT})
async def current_grade(ctx: Ctx, parcel_id: str, year: Year = None, _: Principal = require(*READ)) -> Response:
    document = await queries.current_grade(ctx.uow(), ctx.grade_reads, parcel_id, year)
    if document is None:
        raise Problem(404, "No grade", f"Parcel {parcel_id} has no grade" + (f" for {year}." if year else "."))
    return Response(document, media_type="application/json")


@router.get("/parcels/{parcel_id}/grades", summary="Grade history of a parcel, newest first")
async def history(ctx: Ctx, parcel_id: str, year: Year = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  _: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.grade_history(ctx.uow(), parcel_id, year, limit)


@router.get("/grades", summary="Current grades, filtered by grade, street and year (paginated)")
async def grades(ctx: Ctx, grade: Annotated[str | None, Query(pattern="^[ABCD]$")] = None,
                 street: str | None = None, year: Year = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 after: Annotated[str | None, Query(description="cursor: the last parcel_id seen")] = None,
                 _: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.current_grades(ctx.uow(), grade, street, year, after, limit)


@router.get("/grades/summary", summary="Counts by grade and by street for a year")
async def summary(ctx: Ctx, year: Year = None, _: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.grade_summary(ctx.uow(), year)
