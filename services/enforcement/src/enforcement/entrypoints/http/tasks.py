"""`/v1/inspection-tasks`: a street office's to-do list of parcels to inspect."""

from __future__ import annotations

import dataclasses
from typing import Literal

from fastapi import APIRouter, Query, Request, Response

from enforcement.domain.task_brief import brief
from enforcement.entrypoints.http.deps import AFTER, OFFSET, Ctx, InspectionReader, after_cursor
from enforcement.entrypoints.http.schemas import TaskOut, TaskPage
from enforcement.service_layer.queries import list_tasks as tasks_page
from servicekit.problems import language

router = APIRouter(prefix="/v1/inspection-tasks", tags=["inspection tasks"])


@router.get("", response_model=TaskPage, responses={403: {"description": "Another street's list"}})
async def list_tasks(
    request: Request, response: Response, ctx: Ctx, caller: InspectionReader,
    status: Literal["open", "done", "withdrawn", "all"] = "open",
    street: str | None = Query(None, description="Only for callers that see every area."),
    after: str | None = AFTER,
    limit: int = Query(100, ge=1, le=500, description="at most 500"), offset: int = OFFSET,
) -> TaskPage:
    """Oldest first, cursor-paginated (`after`, `next`), with the total.

    Parcels where the registry saw a suspected occupant (a filer that is neither holder nor
    approved tenant), or a lease of it registered without approval. An inspection of the parcel
    marks its open tasks done; the approval of the lease a task is about withdraws it (so does one
    covering the year a filer's task is about), and its office is told. A street office or town
    sees its own list only. Each task says where to go (parcel name and address, the street's name),
    whose land it is (the holder) and why it exists, in Chinese (English under Accept-Language: en)."""
    tasks, total, next_ = await tasks_page(ctx.uow(), caller, street=street,
                                            status=None if status == "all" else status,
                                            limit=limit, offset=offset, after=after_cursor(after))
    chosen = language(request.headers.get("accept-language"))
    items = [TaskOut.model_validate(dataclasses.asdict(t) | dataclasses.asdict(brief(t, chosen))) for t in tasks]
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return TaskPage(items=items, total=total, limit=limit, offset=offset, next=next_)
