"""Objections to published yearly results, and their review."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from evaluation.adapters import objections_store
from evaluation.entrypoints.idempotency import idempotent_request
from evaluation.entrypoints.schemas import DecisionRequest, ObjectionRequest
from evaluation.service_layer import objections
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.publication import PublicationError
from servicekit.auth import Principal, require
from servicekit.problems import Problem


def _doc(objection: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in objection.items()}


def router() -> APIRouter:
    api = APIRouter(prefix="/v1/objections", tags=["objections"])

    @api.post("", status_code=201, summary="Object to a published grade (within the window)")
    async def submit(request: Request, body: ObjectionRequest,
                     principal: Principal = require("objections:write")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        try:
            return _doc(await objections.submit(ctx, body.parcel_id, body.year, body.statement,
                                                body.requested_grade, principal.subject,
                                                await idempotent_request(request, principal)))
        except LookupError as error:
            raise Problem(404, "No grade", str(error)) from None
        except PublicationError as error:
            raise Problem(409, "No objection window", str(error)) from None

    @api.get("", summary="Objections")
    async def listing(request: Request, run_id: str | None = None, state: str | None = None,
                      parcel_id: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      _: Principal = require("grades:read")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            rows = await objections_store.listing(session, run_id, state, parcel_id, limit)
        return {"items": [_doc(r) for r in rows]}

    @api.get("/{objection_id}", summary="One objection")
    async def one(request: Request, objection_id: str, _: Principal = require("grades:read")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            row = await objections_store.get(session, objection_id)
        if row is None:
            raise Problem(404, "No such objection", f"Objection {objection_id} does not exist.")
        return _doc(row)

    @api.post("/{objection_id}/decision", summary="Review: uphold (optionally with a new grade) or reject")
    async def decide(request: Request, objection_id: str, body: DecisionRequest,
                     principal: Principal = require("admin")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        if body.decision == "rejected" and body.grade is not None:
            raise Problem(422, "Invalid decision", "a rejected objection changes no grade",
                          errors=[{"field": "grade", "message": "only with decision=upheld"}])
        try:
            return _doc(await objections.decide(ctx, objection_id, body.decision == "upheld", body.grade,
                                                body.note, principal.subject))
        except LookupError:
            raise Problem(404, "No such objection", f"Objection {objection_id} does not exist.") from None
        except PublicationError as error:
            raise Problem(409, "Not possible now", str(error)) from None

    return api
