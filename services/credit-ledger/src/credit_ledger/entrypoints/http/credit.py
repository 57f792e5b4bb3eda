"""Credit files: records with penetration paths; personal data masked except for admin."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from credit_ledger.domain.subjects import SUBJECT_SCHEMA
from credit_ledger.entrypoints.http.deps import ENTERPRISE_LOOKUP, READ, Ctx
from credit_ledger.entrypoints.http.schemas import CreditFileOut, CreditReadOut
from credit_ledger.service_layer import queries
from servicekit.auth import ADMIN, Principal, require
from servicekit.clock import BEIJING

router = APIRouter(tags=["credit"])


@router.get("/v1/subjects/{uscc}/credit", response_model=CreditFileOut,
            summary="The credit file of an enterprise (every read is audit-logged)",
            responses=ENTERPRISE_LOOKUP | {403: {"description": "a person's file needs admin; a token bound to "
                                                                "an enterprise reads its own file only"}})
async def subject_credit(
    uscc: Annotated[str, PathParam(max_length=100, json_schema_extra=SUBJECT_SCHEMA,
                                   description="USCC (or, for admin, a person token)")],
    ctx: Ctx, principal: Principal = require(READ),
    as_of: date | None = Query(None, description="the day the responsible persons and equity links are listed "
                                                 "as of (relations are dated; default: today, Beijing time)"),
) -> object:
    return await queries.credit_file(ctx.uow(), uscc, principal, as_of=as_of or ctx.clock().astimezone(BEIJING).date())


@router.get("/v1/audit/credit-reads", response_model=list[CreditReadOut],
            summary="Who read which credit file, newest first (admin)")
async def credit_reads(ctx: Ctx, subject: str | None = Query(None, max_length=100),
                       limit: int = Query(100, ge=1, le=1000), principal: Principal = require(ADMIN)) -> object:
    return await queries.reads_of(ctx.uow(), subject, limit)
