"""`/v1/inspection-tasks`: a street office's to-do list of parcels to inspect."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from enforcement.adapters.projection_repository import ProjectionRepository
from enforcement.entrypoints.callers import reader_of
from enforcement.entrypoints.schemas import TaskOut, TaskPage
from enforcement.service_layer.context import Context
from landgrade_reference.jurisdictions import same_jurisdiction
from servicekit.auth import Principal, require
from servicekit.problems import Problem


def tasks_router(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/v1/inspection-tasks", tags=["inspection tasks"])

    @router.get("", response_model=TaskPage, responses={403: {"description": "Another street's list"}})
    async def list_tasks(
        status: Literal["open", "done", "all"] = "open",
        street: str | None = Query(None, description="Only for callers that see every area."),
        limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000),
        principal: Principal = require("findings:write", "cases:read"),
    ) -> TaskPage:
        """Parcels where the registry saw a suspected occupant (a filer that is neither holder nor
        approved tenant). An inspection of the parcel marks its tasks done. A street office or town
        sees its own list only."""
        area = reader_of(principal).area
        if area is not None and street is not None and not same_jurisdiction(area, street):
            raise Problem(403, "Outside your jurisdiction", f"this token may only read the list of {area}")
        async with ctx.db.sessions() as session:
            rows, total = await ProjectionRepository(session).tasks(
                street=area or street, status=None if status == "all" else status, limit=limit, offset=offset)
        items = [TaskOut.model_validate(r._mapping) for r in rows]
        return TaskPage(items=items, total=total, limit=limit, offset=offset)

    return router
