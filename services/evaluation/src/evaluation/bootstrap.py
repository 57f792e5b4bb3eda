"""Composition root of evaluation: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from evaluation.adapters import rulesets_store, runs_store
from evaluation.adapters.tables import plumbing as plumbing_tables
from evaluation.domain.rulesets import SEED_RULESET_IDS, load_seed_ruleset
from evaluation.entrypoints.consumers import TOPICS, batch_handlers, handlers
from evaluation.entrypoints.grade_fast_path import RememberedGrades
from evaluation.entrypoints.http import routers
from evaluation.service_layer.context import EvaluationContext
from evaluation.settings import Settings
from landgrade_events.evaluation import GRADES
from servicekit.db import asyncpg_dsn
from servicekit.http import create_app
from servicekit.read_cache import ChangeFeed, ReadCache
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [GRADES]
CONSUMER = "evaluation-facts"


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True) -> FastAPI:
    settings = settings or Settings()
    own = settings if isinstance(settings, Settings) else Settings(**settings.model_dump())
    plumbing = Plumbing.build(settings, plumbing_tables)
    ctx = EvaluationContext(plumbing.db, plumbing.outbox,
                            grade_reads=ReadCache(max_entries=own.grade_read_cache_entries))
    feed = ChangeFeed(asyncpg_dsn(settings.database_url), "current_grades", ctx.grade_reads)
    jobs = [feed.run] if own.grade_read_cache_entries else []
    plumbing.db.commit_listeners.append(ctx.grade_reads.committed)  # read-your-writes for grade reads
    run_tasks: set[asyncio.Task[None]] = set()

    async def seed_rulesets() -> None:
        async with ctx.db.transaction() as session:
            for ruleset_id in SEED_RULESET_IDS:
                await rulesets_store.add(session, load_seed_ruleset(ruleset_id), "seed")

    async def close_interrupted_runs() -> None:
        async with ctx.db.transaction() as session:
            await runs_store.interrupted(session)

    async def cancel_runs_at_shutdown(stop: asyncio.Event) -> None:
        await stop.wait()
        for task in list(run_tasks):
            task.cancel()
        await asyncio.gather(*run_tasks, return_exceptions=True)

    consumer = plumbing.consumer(CONSUMER, TOPICS, handlers(ctx), batch_handlers(ctx))
    runtime = plumbing.runtime(publishes=PUBLISHES, consumers=[consumer], jobs=[cancel_runs_at_shutdown, *jobs],
                               startup=[seed_rulesets, close_interrupted_runs])
    app = create_app(runtime, routers(), title="Evaluation", run_background=run_background,
                     description="Explainable A/B/C/D grading of industrial land parcels.",
                     hot_paths=[(RememberedGrades, {"cache": ctx.grade_reads})])
    app.state.evaluation = ctx
    app.state.run_tasks = run_tasks
    return app


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
