"""A parcel's timeline of occupancy: who held it, who rented it (approved or not), who filed on it
without being either, what inspections found and how cases moved — oldest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from evaluation.entrypoints.http.deps import READ, UNKNOWN_PARCEL, Ctx, ParcelId, enterprise_of
from evaluation.service_layer import queries
from servicekit.auth import Principal, require
from servicekit.problems import Problem, Text

router = APIRouter(prefix="/v1", tags=["timeline"])


def unknown_parcel(parcel_id: str) -> Problem:
    return Problem(404, Text("未知地块", "Unknown parcel"),
                   Text(f"parcel_id：地块 {parcel_id} 不存在。", f"parcel_id: parcel {parcel_id} does not exist."),
                   type_=UNKNOWN_PARCEL,
                   errors=[{"field": "parcel_id", "in": "path",
                            "message": Text("地块不存在", "no such parcel")}])


@router.get("/parcels/{parcel_id}/timeline", summary="Who occupied a parcel and what changed when, oldest first",
            responses={404: {"description": "No such parcel (`unknown-parcel`)"}})
async def parcel_timeline(ctx: Ctx, parcel_id: ParcelId,
                          after: Annotated[int | None, Query(ge=1, description="cursor: the last `seq` seen")] = None,
                          limit: Annotated[int, Query(ge=1, le=500)] = 100,
                          principal: Principal = require(*READ)) -> dict[str, Any]:
    found = await queries.parcel_timeline(ctx.uow(), parcel_id, after, limit, enterprise_of(principal))
    if found is None:
        raise unknown_parcel(parcel_id)
    return found
