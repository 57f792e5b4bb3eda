"""Composition root of evaluation: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from evaluation.adapters.tables import plumbing as plumbing_tables
from evaluation.domain.identifiers import NotYourParcel
from evaluation.domain.ruleset import RulesetError
from evaluation.entrypoints.consumers import CONSUMER, SUBSCRIPTIONS
from evaluation.entrypoints.http import routers
from evaluation.entrypoints.http.deps import PROBLEM_TYPES, no_ruleset, not_your_parcel
from evaluation.entrypoints.http.fast_path import RememberedGrades
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.grading import NoRuleset
from evaluation.service_layer.rulesets import BadRulesetRequest, RulesetConflict, UnknownBase, seed_rulesets
from evaluation.service_layer.yearly_run import cancel_runs, close_interrupted_runs
from evaluation.settings import Settings
from landgrade_events.evaluation import GRADES, GRADES_BULK, WARNINGS
from landgrade_reference.official_calendar import OfficialCalendar
from servicekit.db import asyncpg_dsn
from servicekit.http import create_app
from servicekit.problems import Problem, Text
from servicekit.read_cache import ChangeFeed, ReadCache
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [GRADES, GRADES_BULK, WARNINGS]
__all__ = ["CONSUMER", "MIGRATIONS", "build_app", "main"]  # CONSUMER: the readiness check's name

INVALID_RULESET = PROBLEM_TYPES + "invalid-ruleset"
_INVALID_RULESET = Text("评价规则无效", "Invalid ruleset")


def _setting_error(field: str, message: str) -> list[dict[str, object]]:
    return [{"field": field, "message": Text(f"取值无效：{message}", message)}]


def unknown_base(ruleset_id: str) -> Problem:
    """409: the ruleset to start from is not stored (rulesets are data; another may add it)."""
    message = Text(f"评价规则 {ruleset_id} 不存在", f"ruleset {ruleset_id} does not exist")
    return Problem(409, Text("未知评价规则", "Unknown ruleset"), message, type_=PROBLEM_TYPES + "unknown-ruleset",
                   errors=[{"field": "based_on", "message": message}])


PROBLEMS = {
    RulesetError: lambda e: Problem(422, _INVALID_RULESET, Text(f"评价规则设置无效：{e}", str(e)),
                                    type_=INVALID_RULESET,
                                    errors=_setting_error(e.field, e.message)),
    BadRulesetRequest: lambda e: Problem(422, _INVALID_RULESET, Text(f"请求无效：{e.detail}", e.detail),
                                         type_=INVALID_RULESET,
                                         errors=_setting_error(e.field, e.message)),
    RulesetConflict: lambda e: Problem(409, Text("评价规则已存在", "Ruleset exists"),
                                       Text("同一编号的评价规则已以其他设置存在；规则不可更改，请使用新编号。", str(e)),
                                       type_=PROBLEM_TYPES + "ruleset-exists"),
    UnknownBase: lambda e: unknown_base(e.ruleset_id),
    NotYourParcel: lambda e: not_your_parcel(e.parcel_id),
    NoRuleset: lambda e: no_ruleset(e.year, e.covered),  # reads (404); a write catches it and answers 409
}


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True) -> FastAPI:
    own = Settings.narrowed(settings)
    plumbing = Plumbing.build(own, plumbing_tables)
    # "Now" is Beijing time from the settings (CLOCK_AT fixes it): the current year, objection
    # windows and the "today" of dated facts all come from it.
    ctx = EvaluationContext(plumbing.storage, clock=own.clock().now,
                            calendar=OfficialCalendar.with_notices_from(own.official_calendar_file),
                            run_progress=plumbing.metrics.yearly_run_progress,
                            grade_reads=ReadCache(max_entries=own.grade_read_cache_entries))
    feed = ChangeFeed(asyncpg_dsn(own.database_url), "current_grades", ctx.grade_reads)
    plumbing.db.commit_listeners.append(ctx.grade_reads.committed)  # read-your-writes for grade reads

    async def cancel_runs_at_shutdown(stop: asyncio.Event) -> None:
        await stop.wait()
        await cancel_runs(ctx)

    async def seed() -> None:
        await seed_rulesets(ctx.uow())

    async def close_interrupted() -> None:
        await close_interrupted_runs(ctx.uow())

    runtime = plumbing.runtime(
        publishes=PUBLISHES, consumers=[plumbing.subscribe(s, ctx.uow_on) for s in SUBSCRIPTIONS],
        jobs=[cancel_runs_at_shutdown, *([feed.run] if own.grade_read_cache_entries else [])],
        startup=[seed, close_interrupted], bulk_lane=True)  # whole-year writes send by the bulk lane
    return create_app(runtime, routers(), title="Evaluation", run_background=run_background,
                      description="Explainable A/B/C/D grading of industrial land parcels.",
                      context=ctx, problems=PROBLEMS, hot_paths=[(RememberedGrades, {"cache": ctx.grade_reads})])


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
