"""Rulesets (versioned data) and what-if simulation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from evaluation.adapters import rulesets_store
from evaluation.domain.ruleset import RulesetError
from evaluation.domain.ruleset_codec import ruleset_from_dict, ruleset_to_dict, with_changes
from evaluation.entrypoints.schemas import RulesetRequest, SimulationRequest
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.simulation import simulate
from servicekit.auth import Principal, require
from servicekit.problems import Problem


def _invalid(error: RulesetError) -> Problem:
    return Problem(422, "Invalid ruleset", str(error), errors=[{"field": error.field, "message": error.message}])


def router() -> APIRouter:
    api = APIRouter(prefix="/v1/rulesets", tags=["rulesets"])

    @api.get("", summary="All rulesets")
    async def listing(request: Request, _: Principal = require("grades:read")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            rows = await rulesets_store.listing(session)
        return {"items": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                          for r in rows]}

    @api.get("/{ruleset_id}", summary="A ruleset document: thresholds, gap settings, clause texts")
    async def one(request: Request, ruleset_id: str, _: Principal = require("grades:read")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            ruleset = await rulesets_store.get(session, ruleset_id)
        if ruleset is None:
            raise Problem(404, "No such ruleset", f"Ruleset {ruleset_id} does not exist.")
        return ruleset_to_dict(ruleset)

    @api.post("", status_code=201, summary="Add a ruleset (never changes past evaluations)")
    async def create(request: Request, body: RulesetRequest, principal: Principal = require("admin")) -> Any:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.transaction() as session:
            try:
                if body.document is not None:
                    ruleset = ruleset_from_dict({**body.document, "id": body.id, "name": body.name})
                elif body.based_on is not None:
                    base = await rulesets_store.get(session, body.based_on)
                    if base is None:
                        raise Problem(422, "Invalid ruleset", f"based_on {body.based_on} does not exist",
                                      errors=[{"field": "based_on", "message": "no such ruleset"}])
                    ruleset = with_changes(base, {**body.changes, "id": body.id, "name": body.name})
                else:
                    raise Problem(422, "Invalid ruleset", "send a document or based_on with changes",
                                  errors=[{"field": "document", "message": "document or based_on is required"}])
            except RulesetError as error:
                raise _invalid(error) from None
            if not await rulesets_store.add(session, ruleset, principal.subject):
                existing = await rulesets_store.get(session, ruleset.id)
                if existing != ruleset:
                    raise Problem(409, "Ruleset exists", f"Ruleset {ruleset.id} exists with other settings; "
                                  "rulesets are never changed — use a new id.")
                return JSONResponse(ruleset_to_dict(ruleset), status_code=200)
        return ruleset_to_dict(ruleset)

    @api.post("/{ruleset_id}/simulate", summary="What-if: who would move between grades (nothing is stored)")
    async def what_if(request: Request, ruleset_id: str, body: SimulationRequest,
                      _: Principal = require("admin")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        try:
            return await simulate(ctx, ruleset_id, body.year, body.changes, body.limit)
        except LookupError:
            raise Problem(404, "No such ruleset", f"Ruleset {ruleset_id} does not exist.") from None
        except RulesetError as error:
            raise _invalid(error) from None

    return api
