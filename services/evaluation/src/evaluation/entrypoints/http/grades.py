"""Read API: a parcel's current grade and history, lists by grade/street/year, and summaries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from evaluation.domain.identifiers import PARCEL_ID_SCHEMA
from evaluation.entrypoints.http.deps import (
    NO_RULESET_READ,
    READ,
    Ctx,
    ParcelId,
    StreetQuery,
    Year,
    checked_parcel_id,
    enterprise_of,
    no_grade,
    street_filter,
)
from evaluation.service_layer import queries
from servicekit.auth import Principal, require

router = APIRouter(prefix="/v1", tags=["grades"])
_GRADE_DOCUMENT: dict[str, Any] = {"description": "The current grade with its reasons, metrics and flags",
                                   "content": {"application/json": {"schema": {"type": "object"}}}}
CURRENT_GRADE = "/v1/parcels/{parcel_id}/grade"  # also answered, when remembered, by `fast_path`


@router.get("/parcels/{parcel_id}/grade", summary="Current grade of a parcel, with its reasons",
            response_model=None, responses={200: _GRADE_DOCUMENT})
async def current_grade(ctx: Ctx, parcel_id: ParcelId, year: Year = None,
                        principal: Principal = require(*READ)) -> Response:
    document = await queries.current_grade(ctx.uow(), ctx.grade_reads, parcel_id, year, enterprise_of(principal))
    if document is None:
        raise no_grade(parcel_id, year)
    return Response(document, media_type="application/json")


@router.get("/parcels/{parcel_id}/grades", summary="Grade history of a parcel, newest first")
async def history(ctx: Ctx, parcel_id: ParcelId, year: Year = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  principal: Principal = require(*READ)) -> dict[str, Any]:
    found = await queries.grade_history(ctx.uow(), parcel_id, year, limit, enterprise_of(principal))
    if found is None:  # never an empty history a client could take for a clear record
        raise no_grade(parcel_id, year)
    return found


@router.get("/grades", summary="Current grades, filtered by grade, street and year (paginated)",
            responses=NO_RULESET_READ)
async def grades(ctx: Ctx, grade: Annotated[str | None, Query(pattern="^[ABCD]$")] = None,
                 street: StreetQuery = None,
                 year: Year = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 after: Annotated[str | None, Query(description="cursor: the last parcel_id seen",
                                                    json_schema_extra=PARCEL_ID_SCHEMA)] = None,
                 principal: Principal = require(*READ)) -> dict[str, Any]:
    if after is not None:
        checked_parcel_id(after, "after", "query")
    return await queries.current_grades(ctx.uow(), grade, street_filter(street), year, after, limit,
                                        enterprise_of(principal))


@router.get("/grades/summary", summary="Counts by grade and by street for a year", responses=NO_RULESET_READ)
async def summary(ctx: Ctx, year: Year = None, principal: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.grade_summary(ctx.uow(), year, enterprise_of(principal))
