"""The yearly run: grade every parcel set-based, fast, in one transaction.

Facts come in with a few set-based queries, grading happens in memory in chunks (the event loop
stays responsive and progress is reported), and results go out by COPY: evaluations, current
grades, and one outbox event per parcel whose grade or reasons changed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from typing import Any

from evaluation.domain.projection import tenant_pairs
from evaluation.domain.records import Recorded
from evaluation.domain.ruleset import Ruleset, covered_years, select_ruleset
from evaluation.service_layer.context import EvaluationContext, bulk_work
from evaluation.service_layer.grading import NoRuleset, decide, linked_in
from evaluation.service_layer.outgoing import grade_document
from evaluation.service_layer.publication import year_final
from evaluation.service_layer.run_progress import ProgressReporter
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from servicekit.idempotency import IdempotentRequest
from servicekit.logging import get_logger

CHUNK = 2000
YIELD_EVERY = 100
log = get_logger("evaluation_run")


async def create_run(uow: EvaluationUnitOfWork, year: int, ruleset_id: str | None, requested_by: str,
                     idempotency: IdempotentRequest | None = None) -> tuple[dict[str, Any], bool]:
    """The new run, and False when an Idempotency-Key replays an earlier request."""
    async with uow:
        if (earlier := await uow.replayed(idempotency)) is not None:
            return await uow.runs.get(str(earlier[1]["id"])) or {}, False
        if await uow.runs.final_for(year) is not None:
            raise year_final(year)
        ruleset = await _ruleset(uow, year, ruleset_id)
        run_id = str(uuid.uuid4())
        await uow.runs.create(id=run_id, year=year, ruleset_id=ruleset.id, state="queued",
                              phase="queued", requested_by=requested_by)
        await uow.remember(idempotency, 202, {"id": run_id})
        return await uow.runs.get(run_id) or {}, True


def start_run(ctx: EvaluationContext, run_id: str) -> None:
    """The run goes on in the background; shutdown cancels it (`cancel_runs`)."""
    task = asyncio.create_task(execute_run(ctx, run_id))
    ctx.run_tasks.add(task)
    task.add_done_callback(ctx.run_tasks.discard)


async def cancel_runs(ctx: EvaluationContext) -> None:
    for task in list(ctx.run_tasks):
        task.cancel()
    await asyncio.gather(*ctx.run_tasks, return_exceptions=True)


async def close_interrupted_runs(uow: EvaluationUnitOfWork) -> None:
    async with uow:
        await uow.runs.interrupted()


async def _ruleset(uow: EvaluationUnitOfWork, year: int, ruleset_id: str | None) -> Ruleset:
    """The named ruleset, or the one in force; `NoRuleset` when none covers the year."""
    if ruleset_id is not None:
        ruleset = await uow.rulesets.get(ruleset_id)
        if ruleset is None:
            raise LookupError(f"ruleset {ruleset_id} does not exist")
        if not ruleset.covers_year(year):
            raise NoRuleset(year, list(ruleset.covered_years(uow.clock().year)))
        return ruleset
    stored = await uow.rulesets.all()
    chosen = select_ruleset(stored, year)
    if chosen is None:
        raise NoRuleset(year, covered_years(stored, uow.clock().year))
    return chosen


async def execute_run(ctx: EvaluationContext, run_id: str) -> None:
    try:
        await _progress(ctx, run_id, state="running", phase="loading facts", started_at=ctx.clock())
        with bulk_work():
            async with ctx.uow() as uow:
                done = await _grade_all(uow, ctx, run_id)
        ctx.run_progress(run_id, done)
        ctx.wake_relay()  # committed: the relay may publish the run's grade events now
    except asyncio.CancelledError:
        await _progress(ctx, run_id, state="failed", phase="failed", error="cancelled at shutdown")
        raise
    except Exception as error:
        await _progress(ctx, run_id, state="failed", phase="failed", error=repr(error)[:2000])


async def _grade_all(uow: EvaluationUnitOfWork, ctx: EvaluationContext, run_id: str) -> dict[str, Any]:
    """Grades the year and writes the results; returns what it wrote of the run's progress last."""
    await uow.grading_lock.take()
    clock = time.perf_counter()
    run = await uow.runs.get(run_id)
    assert run is not None
    year: int = run["year"]
    if await uow.runs.final_for(year) is not None:  # made final while this run waited for the lock
        raise year_final(year)
    ruleset = await _ruleset(uow, year, run["ruleset_id"])
    sources = await uow.facts.load_sources(year)
    pairs = tenant_pairs(sources.values(), year)
    linked = linked_in(await uow.facts.linked_pairs(pairs, ruleset.equity_link_search_depth))
    current = await uow.grades.current_for_year(year)
    timings = {"load": time.perf_counter() - clock}
    clock = time.perf_counter()
    await _progress(ctx, run_id, phase="grading", total=len(sources))
    progress = ProgressReporter(lambda values: _progress(ctx, run_id, **values))
    today, now = ctx.clock().date(), ctx.clock()
    recorded: list[Recorded] = []
    changed = 0
    ordered = sorted(sources)
    writing: asyncio.Task[None] | None = None

    async def grade_chunk(parcel_ids: list[str]) -> list[tuple[Recorded, bool]]:
        graded = []
        for n, parcel_id in enumerate(parcel_ids):
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the previous chunk's COPY streams on meanwhile
            outcome = decide(sources[parcel_id], year, ruleset, linked, current.get(parcel_id), today)
            graded.append((outcome.recorded(now, run_id=run_id), outcome.changed))
        return graded

    try:
        for start in range(0, len(ordered), CHUNK):
            # Grading this chunk (Python) while PostgreSQL takes in the previous one's COPY: the two
            # cores work at once instead of taking turns. Not in a worker thread: it would fight the
            # event loop for the interpreter lock.
            graded = await grade_chunk(ordered[start:start + CHUNK])
            if writing is not None:
                await writing
            chunk = [item for item, _ in graded]
            writing = asyncio.create_task(_write_chunk(uow, chunk, [i for i, new in graded if new]))
            recorded += chunk
            changed += sum(1 for _, new in graded if new)
            progress.report(graded=len(recorded))
        if writing is not None:
            await writing
        progress.report(phase="writing")
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
        # Before the run touches its own row below: a progress write still waiting would block on
        # that row until the run commits, then put an old phase back.
        await progress.flush()
    timings["grade_and_write"] = time.perf_counter() - clock
    clock = time.perf_counter()
    await uow.grades.replace_current(recorded, year)
    timings["current"] = time.perf_counter() - clock
    log.info("evaluation_run_done", run_id=run_id, parcels=len(recorded), changed=changed,
             **{f"{k}_s": round(v, 2) for k, v in timings.items()})
    counts = Counter(r.evaluation.grade.value for r in recorded)
    await uow.runs.supersede_others(run_id, year)
    done = {"state": "draft", "phase": "done", "graded": len(recorded), "total": len(sources)}
    await uow.runs.change(run_id, **done, changed=changed, counts={g: counts.get(g, 0) for g in "ABCD"},
                          finished_at=ctx.clock())
    return done


async def _write_chunk(uow: EvaluationUnitOfWork, recorded: list[Recorded], changed: list[Recorded]) -> None:
    """One chunk's evaluations, and the grade events of those whose grade or reasons changed."""
    await uow.grades.copy_evaluations(recorded)
    await uow.grades.add_grade_events(grade_document(r) for r in changed)


async def _progress(ctx: EvaluationContext, run_id: str, **values: Any) -> None:
    """Progress is written beside the run's own transaction, so readers see it while it works."""
    async with ctx.uow() as uow:
        await uow.runs.change(run_id, **values)
    ctx.run_progress(run_id, values)
