"""Yearly runs: start (202), progress, publication for objection, finalisation."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from evaluation.entrypoints.http.deps import (
    ADMIN,
    CALENDAR_UNKNOWN,
    PROBLEM_TYPES,
    READ,
    RUNS_WRITE,
    UNKNOWN_RULESET,
    WINDOW_TOO_SHORT,
    Ctx,
    no_ruleset,
    state_problem,
    unknown,
)
from evaluation.entrypoints.http.schemas import PublishRequest, RunRequest
from evaluation.service_layer import publication, queries, yearly_run
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.grading import NoRuleset
from servicekit.auth import Principal, require
from servicekit.idempotency import IdempotencyKeyDep
from servicekit.problems import Problem, Text

router = APIRouter(prefix="/v1/evaluation-runs", tags=["runs"])


@router.post("", status_code=202, summary="Start the yearly run for a year (grades every parcel)",
             responses={409: {"description": "No ruleset covers `year` (`no-ruleset-for-year`, with "
                                             "`covered_years`), `ruleset_id` is not stored (`unknown-ruleset`), "
                                             "or the year is final (`year-final`)"}})
async def start(ctx: Ctx, body: RunRequest, idempotency_key: IdempotencyKeyDep,
                principal: Principal = require(RUNS_WRITE)) -> JSONResponse:
    try:
        run, created = await yearly_run.create_run(ctx.uow(), body.year, body.ruleset_id, principal.subject,
                                                   idempotency_key.by(principal.subject) if idempotency_key else None)
    except NoRuleset as error:
        raise no_ruleset(error.year, error.covered, write=True) from None
    except LookupError:
        message = Text(f"评价规则 {body.ruleset_id} 不存在", f"ruleset {body.ruleset_id} does not exist")
        raise Problem(409, Text("未知评价规则", "Unknown ruleset"), message, type_=UNKNOWN_RULESET,
                      errors=[{"field": "ruleset_id", "message": message}]) from None
    except publication.PublicationError as error:
        raise state_problem(error.kind, error.zh, error.en) from None
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
        raise unknown("run", run_id)
    return found


@router.post("/{run_id}/publish", summary="Publish a draft run for objection (公示)")
async def publish(ctx: Ctx, run_id: str, body: PublishRequest | None = None,
                  principal: Principal = require(RUNS_WRITE)) -> dict[str, Any]:
    window = body.objection_window_days if body else None
    published_on = body.published_on if body else None
    if published_on is not None and not principal.has(ADMIN):
        raise Problem(403, Text("无权补录公示日期", "Only admin records a past publication"),
                      Text("只有管理员可以补录已进行的公示（published_on）。",
                           "Only admin may record a publication made earlier (published_on)."),
                      type_=PROBLEM_TYPES + "published-on-needs-admin")
    return await _step(publication.publish(ctx.uow(), run_id, window, published_on), run_id, ctx)


@router.post("/{run_id}/finalize", summary="Make a published run's grades final (after the window)")
async def finalize(ctx: Ctx, run_id: str, _: Principal = require(RUNS_WRITE)) -> dict[str, Any]:
    return await _step(publication.finalize(ctx.uow(), run_id), run_id, ctx)


async def _step(step: Awaitable[dict[str, Any]], run_id: str, ctx: EvaluationContext) -> dict[str, Any]:
    try:
        run = await step
        ctx.run_progress(run_id, {"state": run.get("state")})
        return queries.run_document(run)
    except LookupError:
        raise unknown("run", run_id) from None
    except publication.PublicationError as error:
        raise state_problem(error.kind, error.zh, error.en) from None
    except publication.WindowTooShort as error:
        message = Text(f"异议期不得少于规则 {error.ruleset_id} 规定的 {error.minimum} 个工作日",
                       f"at least {error.minimum} working days (objection_window_min_days of ruleset "
                       f"{error.ruleset_id})")
        raise Problem(422, Text("异议期过短", "Objection window too short"), message, type_=WINDOW_TOO_SHORT,
                      errors=[{"field": "objection_window_days", "message": message}],
                      minimum=error.minimum) from None
    except publication.PublishedInFuture as error:
        message = Text(f"公示日期 {error} 尚未到来", f"{error} is a day to come")
        raise Problem(422, Text("公示日期无效", "Invalid publication day"), message,
                      type_=PROBLEM_TYPES + "published-on-in-future",
                      errors=[{"field": "published_on", "message": message}]) from None
    except publication.CalendarUnknown as error:
        raise Problem(409, Text("法定工作日历未知", "Official calendar unknown"),
                      Text(f"尚无{error.year}年的国家法定节假日安排，无法计算异议期的工作日。",
                           f"China's official holidays for {error.year} are not known yet: the objection "
                           "window's working days cannot be counted (OFFICIAL_CALENDAR_FILE adds a year's notice)."),
                      type_=CALENDAR_UNKNOWN) from None
