"""Objections to published yearly results, and their review."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from evaluation.entrypoints.http.deps import (
    DECIDE,
    INVALID_DECISION,
    NOT_YOUR_PARCEL,
    OBJECT,
    READ,
    Ctx,
    ParcelIdQuery,
    checked_parcel_id,
    enterprise_of,
    no_grade,
    state_problem,
    unknown,
)
from evaluation.entrypoints.http.schemas import DecisionRequest, ObjectionRequest
from evaluation.service_layer import objections, queries
from evaluation.service_layer.publication import PublicationError
from servicekit.auth import Principal, require
from servicekit.idempotency import IdempotencyKeyDep
from servicekit.problems import Problem, Text

router = APIRouter(prefix="/v1/objections", tags=["objections"])


@router.post("", status_code=201, summary="Object to a published grade (within the window)")
async def submit(ctx: Ctx, body: ObjectionRequest, idempotency_key: IdempotencyKeyDep,
                 principal: Principal = require(OBJECT)) -> dict[str, Any]:
    try:
        submitted = await objections.submit(
            ctx.uow(), body.parcel_id, body.year, body.statement, body.requested_grade, principal.subject,
            idempotency_key.by(principal.subject) if idempotency_key else None, enterprise_of(principal))
    except LookupError:
        raise no_grade(body.parcel_id, body.year) from None
    except PublicationError as error:
        raise state_problem(error.kind, error.zh, error.en) from None
    return queries.objection_document(submitted)


@router.get("", summary="Objections")
async def listing(ctx: Ctx, run_id: str | None = None,
                  state: Literal["submitted", "upheld", "rejected"] | None = None, parcel_id: ParcelIdQuery = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  principal: Principal = require(*READ)) -> dict[str, Any]:
    if parcel_id is not None:
        checked_parcel_id(parcel_id, "parcel_id", "query")
    return await queries.objections(ctx.uow(), run_id, state, parcel_id, limit, enterprise_of(principal))


@router.get("/{objection_id}", summary="One objection")
async def one(ctx: Ctx, objection_id: str, principal: Principal = require(*READ)) -> dict[str, Any]:
    found = await queries.objection(ctx.uow(), objection_id, enterprise_of(principal))
    if found is None:
        raise unknown("objection", objection_id)
    return found


@router.post("/{objection_id}/decision", summary="Review: uphold (optionally with a new grade) or reject")
async def decide(ctx: Ctx, objection_id: str, body: DecisionRequest,
                 principal: Principal = require(DECIDE)) -> dict[str, Any]:
    if enterprise_of(principal) is not None:  # an enterprise never reviews objections, its own least of all
        raise Problem(403, Text("企业令牌不能复核异议", "Enterprises do not review objections"),
                      Text("绑定企业的令牌不能复核异议。", "A token bound to an enterprise cannot decide objections."),
                      type_=NOT_YOUR_PARCEL)
    if body.decision == "rejected" and body.grade is not None:
        raise Problem(422, Text("复核决定无效", "Invalid decision"),
                      Text("不成立的异议不改变等级。", "A rejected objection changes no grade."),
                      type_=INVALID_DECISION,
                      errors=[{"field": "grade",
                               "message": Text("仅在 decision=upheld 时填写", "only with decision=upheld")}])
    try:
        decided = await objections.decide(ctx.uow(), objection_id, body.decision == "upheld", body.grade,
                                          body.note, principal.subject)
    except LookupError:
        raise unknown("objection", objection_id) from None
    except PublicationError as error:
        raise state_problem(error.kind, error.zh, error.en) from None
    return queries.objection_document(decided)
