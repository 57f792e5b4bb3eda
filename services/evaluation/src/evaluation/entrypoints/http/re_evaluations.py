"""Re-evaluation of a final year (重新评价): an explicit, reasoned act with a scope of its own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from evaluation.entrypoints.http.deps import (
    PROBLEM_TYPES,
    READ,
    REEVALUATE,
    Ctx,
    enterprise_of,
    not_your_parcel,
    state_problem,
)
from evaluation.entrypoints.http.schemas import ReEvaluationRequest
from evaluation.service_layer import queries
from evaluation.service_layer.publication import PublicationError
from evaluation.service_layer.re_evaluation import UnknownParcels, re_evaluate
from servicekit.auth import Principal, require
from servicekit.idempotency import IdempotencyKeyDep
from servicekit.problems import Problem, Text

router = APIRouter(prefix="/v1/re-evaluations", tags=["runs"])


@router.post("", status_code=201, summary="Re-evaluate a final year (重新评价): every changed grade is "
                                          "published as a correction of the final one",
             responses={409: {"description": "The year is not final (`year-not-final`), or the year holds no "
                                             "parcel of `parcel_ids` (`unknown-parcel`)"}})
async def create(ctx: Ctx, body: ReEvaluationRequest, idempotency_key: IdempotencyKeyDep,
                 principal: Principal = require(REEVALUATE)) -> dict[str, Any]:
    if enterprise_of(principal) is not None:  # an enterprise never re-makes final grades
        raise not_your_parcel()
    try:
        record = await re_evaluate(ctx.uow(), body.year, body.reason, principal.subject, body.parcel_ids,
                                   idempotency_key.by(principal.subject) if idempotency_key else None)
    except PublicationError as error:
        raise state_problem(error.kind, error.zh, error.en) from None
    except UnknownParcels as error:
        listed = ", ".join(error.parcel_ids[:50])
        message = Text(f"未知地块：{listed}", f"unknown parcels: {listed}")
        raise Problem(409, Text("未知地块", "Unknown parcel"), message, type_=PROBLEM_TYPES + "unknown-parcel",
                      errors=[{"field": "parcel_ids", "message": message}]) from None
    return queries.re_evaluation_document(record)


@router.get("", summary="Re-evaluations of a year, newest first: who, when, why, and what changed")
async def listing(ctx: Ctx, year: Annotated[int, Query(ge=2000, le=2100)],
                  _: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.re_evaluations(ctx.uow(), year)
