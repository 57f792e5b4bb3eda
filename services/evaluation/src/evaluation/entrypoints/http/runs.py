"""Yearly runs: start (202), progress, publication for objection, finalisation."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from evaluation.entrypoints.http.deps import READ, RUNS_WRITE, Ctx
from evaluation.entrypoints.http.schemas import PublishRequest, RunRequest
from evaluation.service_layer import publication, queries, yearly_run
from evaluation.service_layer.grading import NoRuleset
from servicekit.auth import Principal, require
from servicekit.idempotency import IdempotencyKeyDep
from servicekit.problems import Problem

router = APIRouter(prefix="/v1/evaluation-runs", tags=["runs"])


@router.post("", status_code=202, summary="Start the yearly run for a year (grades every parcel)")
async def start(ctx: Ctx, body: RunRequest, idempotency_key: IdempotencyKeyDep,
                principal: Principal = require(RUNS_WRITE)) -> JSONResponse:
    try:
        run, created = await yearly_run.create_run(ctx.uow(), body.year, body.ruleset_id, principal.subject,
                                                   idempotency_key.by(principal.subject) if idempotency_key else None)
    except (LookupError, NoRuleset) as error:
        raise Problem(422, "No ruleset", str(error),
                      errors=[{"field": "ruleset_id", "message": str(error)}]) from None
    if created:
        yearly_run.start_run(ctx, run["id"])
    return JSONResponse(queries.run_document(run), status_code=202,
                        headers={"Location": f"/v1/evaluation-runs/{run['id']}"})


@router.get("", summary="Runs, newest first")
async def listing(ctx: Ctx, year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  _: Principal = require(*READ)) -> dict[str, Any]:
    return await queries.runs(ctx.uow(), year, limit)


@router.get("/{run_id}", summary="A run's state and progress")
async def one(ctx: Ctx, run_id: str, _: Principal = require(*READ)) -> dict[str, Any]:
    found = await queries.run(ctx.uow(), run_id)
    if found is None:
        raise Problem(404, "No such run", f"Run {run_id} does not exist.")
    return found


@router.post("/{run_id}/publish", summary="Publish a draft run for objection (公示)")
async def publish(ctx: Ctx, run_id: str, body: PublishRequest | None = None,
                  _: Principal = require(RUNS_WRITE)) -> dict[str, Any]:
    window = body.objection_window_days if body else None
    return await _step(publication.publish(ctx.uow(), run_id, window), run_id)


@router.post("/{run_id}/finalize", summary="Make a published run's grades final (after the window)")
async def finalize(ctx: Ctx, run_id: str, _: Principal = require(RUNS_WRITE)) -> dict[str, Any]:
    return await _step(publication.finalize(ctx.uow(), run_id), run_id)


async def _step(step: Awaitable[dict[str, Any]], run_id: str) -> dict[str, Any]:
    try:
        return queries.run_document(await step)
    except LookupError:
        raise Problem(404, "No such run", f"Run {run_id} does not exist.") from None
    except publication.PublicationError as error:
        raise Problem(409, "Not possible now", str(error)) from None
