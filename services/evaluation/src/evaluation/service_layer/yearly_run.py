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

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters import facts_loader, grades_store, outbox_bulk, rulesets_store, runs_store
from evaluation.adapters.grades_store import Recorded
from evaluation.domain.grading import grade
from evaluation.domain.projection import assemble_facts
from evaluation.domain.ruleset import Ruleset, select_ruleset
from evaluation.service_layer.context import GRADING_LOCK, EvaluationContext, bulk_work
from evaluation.service_layer.grade_events import grade_document
from evaluation.service_layer.idempotent import IdempotentRequest
from evaluation.service_layer.regrade import NoRuleset
from evaluation.service_layer.run_progress import ProgressReporter
from servicekit.logging import get_logger

CHUNK = 2000
YIELD_EVERY = 100
log = get_logger("evaluation_run")


async def create_run(ctx: EvaluationContext, year: int, ruleset_id: str | None, requested_by: str,
                     idempotency: IdempotentRequest | None = None) -> tuple[str, bool]:
    """The new run's id, and False when an Idempotency-Key replays an earlier request."""
    async with ctx.db.transaction() as session:
        if idempotency and (earlier := await idempotency.replayed(session)) is not None:
            return str(earlier["id"]), False
        ruleset = await _ruleset(session, year, ruleset_id)
        run_id = str(uuid.uuid4())
        await runs_store.create(session, id=run_id, year=year, ruleset_id=ruleset.id, state="queued",
                                phase="queued", requested_by=requested_by)
        if idempotency:
            await idempotency.remember(session, 202, {"id": run_id})
    return run_id, True


async def _ruleset(session: AsyncSession, year: int, ruleset_id: str | None) -> Ruleset:
    if ruleset_id is not None:
        ruleset = await rulesets_store.get(session, ruleset_id)
        if ruleset is None:
            raise LookupError(f"ruleset {ruleset_id} does not exist")
        return ruleset
    chosen = select_ruleset(await rulesets_store.all_rulesets(session), year)
    if chosen is None:
        raise NoRuleset(f"no ruleset in force for {year}; name one explicitly")
    return chosen


async def execute_run(ctx: EvaluationContext, run_id: str) -> None:
    try:
        await _progress(ctx, run_id, state="running", phase="loading facts", started_at=ctx.clock())
        with bulk_work():
            async with ctx.db.transaction() as session:
                await _grade_all(session, ctx, run_id)
        ctx.outbox.written.set()  # committed: the relay may publish the run's grade events now
    except asyncio.CancelledError:
        await _progress(ctx, run_id, state="failed", phase="failed", error="cancelled at shutdown")
        raise
    except Exception as error:
        await _progress(ctx, run_id, state="failed", phase="failed", error=repr(error)[:2000])


async def _grade_all(session: AsyncSession, ctx: EvaluationContext, run_id: str) -> None:
    await session.execute(select(func.pg_advisory_xact_lock(GRADING_LOCK)))
    clock = time.perf_counter()
    run = await runs_store.get(session, run_id)
    assert run is not None
    year: int = run["year"]
    ruleset = await _ruleset(session, year, run["ruleset_id"])
    sources = await facts_loader.load_sources(session, year)
    pairs = facts_loader.tenant_pairs(sources.values())
    linked = await facts_loader.linked_pairs(session, pairs, ruleset.equity_link_search_depth)
    current = await grades_store.current_for_year(session, year)
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
            facts = assemble_facts(sources[parcel_id], year, lambda a, b: (a, b) in linked, today)
            evaluation = grade(facts, ruleset)
            previous = current.get(parcel_id)
            item = Recorded.new(evaluation, facts, previous, "provisional", now, run_id=run_id)
            graded.append((item, previous is None or previous.fingerprint != evaluation.fingerprint))
        return graded

    try:
        for start in range(0, len(ordered), CHUNK):
            # Grading this chunk (Python) while PostgreSQL takes in the previous one's COPY: the two
            # cores work at once instead of taking turns. (Grading in a worker thread was slower:
            # it fought the event loop for the interpreter lock.)
            graded = await grade_chunk(ordered[start:start + CHUNK])
            if writing is not None:
                await writing
            chunk = [item for item, _ in graded]
            writing = asyncio.create_task(_write_chunk(session, ctx, chunk, [i for i, new in graded if new]))
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
    await grades_store.replace_current(session, recorded, year)
    timings["current"] = time.perf_counter() - clock
    log.info("evaluation_run_done", run_id=run_id, parcels=len(recorded), changed=changed,
             **{f"{k}_s": round(v, 2) for k, v in timings.items()})
    counts = Counter(r.evaluation.grade.value for r in recorded)
    await runs_store.supersede_others(session, run_id, year)
    await runs_store.change(session, run_id, state="draft", phase="done", graded=len(recorded),
                            changed=changed, counts={g: counts.get(g, 0) for g in "ABCD"},
                            finished_at=ctx.clock())


async def _write_chunk(session: AsyncSession, ctx: EvaluationContext, recorded: list[Recorded],
                       changed: list[Recorded]) -> None:
    """One chunk's evaluations, and the grade events of those whose grade or reasons changed."""
    await grades_store.copy_evaluations(session, recorded)
    await outbox_bulk.add_grade_events(session, ctx.outbox, (grade_document(r) for r in changed))


async def _progress(ctx: EvaluationContext, run_id: str, **values: Any) -> None:
    """Progress is written beside the run's own transaction, so readers see it while it works."""
    async with ctx.db.transaction() as session:
        await runs_store.change(session, run_id, **values)
