"""Notices to street offices (a new inspection task) and where each street office is reached."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from enforcement.entrypoints.http.deps import Ctx, InspectionReader, StreetContactWriter, known_street
from enforcement.entrypoints.http.schemas import NoticesOut, StreetContactIn, StreetContactOut
from enforcement.service_layer import notices
from landgrade_reference.jurisdictions import SPELLINGS

router = APIRouter(tags=["notices"])

_STREET = {"enum": list(SPELLINGS)}
_REFUSED: dict[int | str, dict[str, Any]] = {403: {"description": "Another street's notices"},
            422: {"description": "Not a street or town of E-Town (problem type unknown-street)"}}


@router.get("/v1/notices", response_model=NoticesOut, responses=_REFUSED,
            summary="A street office's notices, newest first, with their delivery state")
async def list_notices(
    ctx: Ctx, caller: InspectionReader,
    recipient: Annotated[str | None, Query(max_length=100, json_schema_extra=_STREET,
                                           description="the street or town (Chinese name, code or English "
                                                       "name); a street office's token defaults to its own, "
                                                       "staff read every street's")] = None,
    after: Annotated[int | None, Query(ge=1, le=2**62, description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> object:
    """A street office or town reads its own notices only (403 for another's)."""
    street = known_street(recipient, "recipient", "query") if recipient is not None else None
    return await notices.notices_of(ctx.uow(), street, caller, after, limit)


@router.put("/v1/street-contacts/{street}", response_model=StreetContactOut, responses=_REFUSED,
            summary="Where the street office's notices go (e-mail; a phone for SMS once connected)")
async def put_contact(
    street: Annotated[str, PathParam(max_length=100, json_schema_extra=_STREET,
                                     description="the street or town (Chinese name, code or English name)")],
    body: StreetContactIn, ctx: Ctx, caller: StreetContactWriter,
) -> object:
    """Enforcement staff set any street's address; a street office its own."""
    return await notices.set_contact(ctx.uow(), known_street(street, "street", "path"), body.email, body.phone,
                                     caller, ctx.clock())
