"""Notices to enterprises (C or D grades, benefits withdrawn) and where each enterprise is reached."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from credit_ledger.domain.notices import Contact
from credit_ledger.domain.subjects import USCC_SCHEMA, enterprise_uscc
from credit_ledger.entrypoints.http.deps import ENTERPRISE_LOOKUP, READ, REPAIR, Ctx
from credit_ledger.entrypoints.http.schemas import ContactIn, ContactOut, NoticesOut
from credit_ledger.service_layer import notices
from servicekit.auth import Principal, require

router = APIRouter(tags=["notices"])


@router.get("/v1/notices", response_model=NoticesOut, responses=ENTERPRISE_LOOKUP,
            summary="An enterprise's notices, newest first, with their delivery state")
async def list_notices(
    ctx: Ctx,
    recipient: Annotated[str, Query(max_length=100, json_schema_extra=USCC_SCHEMA,
                                    description="the enterprise's USCC")],
    after: Annotated[int | None, Query(ge=1, le=2**62, description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    principal: Principal = require(READ, REPAIR),
) -> object:
    uscc = enterprise_uscc(recipient, "recipient", "query")
    return await notices.notices_of(ctx.uow(), uscc, principal, after, limit)


@router.put("/v1/notice-contacts/{uscc}", response_model=ContactOut, responses=ENTERPRISE_LOOKUP,
            summary="Where the enterprise's notices go (e-mail; a phone for SMS once connected)")
async def put_contact(
    uscc: Annotated[str, PathParam(max_length=100, json_schema_extra=USCC_SCHEMA,
                                   description="USCC, in any spelling `parse_uscc` accepts")],
    body: ContactIn, ctx: Ctx, principal: Principal = require(REPAIR),
) -> object:
    contact = Contact(enterprise_uscc(uscc, "uscc", "path"), body.email, body.phone)
    return await notices.set_contact(ctx.uow(), contact, principal, ctx.clock())
