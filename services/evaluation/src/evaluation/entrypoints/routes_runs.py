"""Yearly runs: start (202), progress, publication for objection, finalisation."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from evaluation.adapters import runs_store
from evaluation.entrypoints.idempotency import idempotent_request
from evaluation.entrypoints.schemas import PublishRequest, RunRequest
from evaluation.service_layer import publication, yearly_run
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.regrade import NoRuleset
from servicekit.auth import Principal, require
from servicekit.problems import Problem


def run_document(run: dict[str, Any]) -> dict[str, Any]:
    doc = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in run.items()}
    doc["progress"] = round(run["graded"] / run["total"], 4) if run["total"] else (
        1.0 if run["state"] in ("draft", "published", "final") else 0.0)
    return doc


def router() -> APIRouter:
    api = APIRouter(prefix="/v1/evaluation-runs", tags=["runs"])

    @api.post("", status_code=202, summary="Start the yearly run for a year (grades every parcel)")
    async def start(request: Request, body: RunRequest, principal: Principal = require("admin")) -> JSONResponse:
        ctx: EvaluationContext = request.app.state.evaluation
        try:
            run_id, created = await yearly_run.create_run(ctx, body.year, body.ruleset_id, principal.subject,
                                                          await idempotent_request(request, principal))
        except (LookupError, NoRuleset) as error:
            raise Problem(422, "No ruleset", str(error),
                          errors=[{"field": "ruleset_id", "message": str(error)}]) from None
        if created:
            tasks: set[asyncio.Task[None]] = request.app.state.run_tasks
            task = asyncio.create_task(yearly_run.execute_run(ctx, run_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        async with ctx.db.sessions() as session:
            run = await runs_store.get(session, run_id)
        return JSONResponse(run_document(run or {}), status_code=202,
                            headers={"Location": f"/v1/evaluation-runs/{run_id}"})

    @api.get("", summary="Runs, newest first")
    async def listing(request: Request, year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50,
                      _: Principal = require("grades:read")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            return {"items": [run_document(r) for r in await runs_store.listing(session, year, limit)]}

    @api.get("/{run_id}", summary="A run's state and progress")
    async def one(request: Request, run_id: str, _: Principal = require("grades:read")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            run = await runs_store.get(session, run_id)
        if run is None:
            raise Problem(404, "No such run", f"Run {run_id} does not exist.")
        return run_document(run)

    @api.post("/{run_id}/publish", summary="Publish a draft run for objection (公示)")
    async def publish(request: Request, run_id: str, body: PublishRequest | None = None,
                      _: Principal = require("admin")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        window = body.objection_window_days if body else None
        return run_document(await _step(publication.publish(ctx, run_id, window), run_id))

    @api.post("/{run_id}/finalize", summary="Make a published run's grades final (after the window)")
    async def finalize(request: Request, run_id: str, _: Principal = require("admin")) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        return run_document(await _step(publication.finalize(ctx, run_id), run_id))

    return api


async def _step(step: Any, run_id: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await step
    except LookupError:
        raise Problem(404, "No such run", f"Run {run_id} does not exist.") from None
    except publication.PublicationError as error:
        raise Problem(409, "Not possible now", str(error)) from None
    return result
