"""The yearly run: grade every parcel set-based, fast, in one transaction.

The year's parcels are taken in chunks in id order: each chunk's facts come in with a few
set-based queries, grading happens in memory (the event loop stays responsive and progress is
reported), and results go out by COPY: evaluations, current grades, and one outbox event per
parcel whose grade or reasons changed. Nothing is held per parcel beyond the chunks in flight.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from evaluation.domain.equity import equity_linked
from evaluation.domain.projection import ParcelSources, tenant_pairs
from evaluation.domain.records import BulkEvent, Current, Recorded
from evaluation.domain.ruleset import Ruleset, covered_years, select_ruleset
from evaluation.service_layer.context import EvaluationContext, bulk_work
from evaluation.service_layer.grading import NoRuleset, decide, linked_in
from evaluation.service_layer.outgoing import grade_document
from evaluation.service_layer.publication import year_final
from evaluation.service_layer.run_progress import ProgressReporter
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from servicekit.idempotency import IdempotentRequest
from servicekit.ids import new_id
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
    """Grades the year chunk by chunk and writes the results; returns what it wrote of the run's
    progress last. At most three chunks are held at once (one read ahead, one graded, one being
    written), so the run's memory does not grow with the number of parcels."""
    run = await uow.runs.get(run_id)
    assert run is not None
    year: int = run["year"]
    await uow.grading_lock.take(year)
    if await uow.runs.final_for(year) is not None:  # made final while this run waited for the lock
        raise year_final(year)
    ruleset = await _ruleset(uow, year, run["ruleset_id"])
    total = await uow.facts.parcels_of_year(year)
    await _progress(ctx, run_id, phase="grading", total=total)
    progress = ProgressReporter(lambda values: _progress(ctx, run_id, **values))
    tally = _Tally()
    # Facts and the grades before the run are read on a second connection while this one writes
    # the previous chunk: the chunks' parcels are disjoint, and nothing else writes the year's
    # current grades while the run holds the year's grading lock.
    async with ctx.uow() as reader:
        graph = await reader.facts.equity_graph()
        step = _Step(reader, year, ruleset, graph, ctx.clock().date(), ctx.clock(), run_id)
        loading: asyncio.Task[_Chunk] = asyncio.create_task(step.load(""))
        writing: asyncio.Task[None] | None = None
        try:
            while (chunk := await loading).sources:
                loading = asyncio.create_task(step.load(chunk.last))
                # Grading this chunk (Python) while PostgreSQL takes in the previous one's COPY: the
                # two cores work at once instead of taking turns. Not in a worker thread: it would
                # fight the event loop for the interpreter lock.
                graded = await step.grade(chunk)
                if writing is not None:
                    await writing
                writing = asyncio.create_task(_write_chunk(uow, graded))
                tally.add(graded)
                progress.report(graded=tally.graded)
            if writing is not None:
                await writing
            progress.report(phase="writing")
        finally:
            for task in (loading, writing):
                if task is not None and not task.done():
                    task.cancel()
            # Before the run touches its own row below: a progress write still waiting would
            # block on that row until the run commits, then put an old phase back.
            await progress.flush()
    log.info("evaluation_run_done", run_id=run_id, parcels=tally.graded, changed=tally.changed)
    await uow.runs.supersede_others(run_id, year)
    # Parcels the registry announced during the run may have joined its later chunks.
    done = {"state": "draft", "phase": "done", "graded": tally.graded, "total": max(total, tally.graded)}
    await uow.runs.change(run_id, **done, changed=tally.changed, counts={g: tally.counts.get(g, 0) for g in "ABCD"},
                          finished_at=ctx.clock())
    return done


@dataclass(frozen=True)
class _Chunk:
    sources: dict[str, ParcelSources]
    current: dict[str, Current]

    @property
    def last(self) -> str:
        """The chunk's last parcel in the database's order (its collation, not Python's)."""
        return next(reversed(self.sources))


@dataclass(frozen=True)
class _Step:
    """What grading a chunk needs: the reader's connection and the run's fixed inputs."""

    reader: EvaluationUnitOfWork
    year: int
    ruleset: Ruleset
    graph: dict[str, set[str]]
    today: date
    now: datetime
    run_id: str

    async def load(self, after: str) -> _Chunk:
        sources = await self.reader.facts.sources_after(self.year, after, CHUNK)
        current = await self.reader.grades.current_many(self.year, list(sources)) if sources else {}
        return _Chunk(sources, current)

    async def grade(self, chunk: _Chunk) -> list[tuple[Recorded, bool]]:
        depth = self.ruleset.equity_link_search_depth
        linked = linked_in({p for p in tenant_pairs(chunk.sources.values(), self.year)
                            if equity_linked(p[0], p[1], self.graph, depth)})
        graded = []
        for n, (parcel_id, sources) in enumerate(chunk.sources.items()):
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the previous chunk's COPY and the next one's reads go on meanwhile
            outcome = decide(sources, self.year, self.ruleset, linked, chunk.current.get(parcel_id), self.today)
            graded.append((outcome.recorded(self.now, run_id=self.run_id), outcome.changed))
        return graded


@dataclass
class _Tally:
    graded: int = 0
    changed: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, graded: list[tuple[Recorded, bool]]) -> None:
        self.graded += len(graded)
        self.changed += sum(1 for _, new in graded if new)
        self.counts.update(r.evaluation.grade.value for r, _ in graded)


async def _write_chunk(uow: EvaluationUnitOfWork, graded: list[tuple[Recorded, bool]]) -> None:
    """One chunk's evaluations, which become its parcels' current grades, and the grade events of
    those whose grade or reasons changed."""
    recorded = [r for r, _ in graded]
    announced = {r.id: BulkEvent(new_id(), r.id) for r, new in graded if new}
    await uow.grades.copy_evaluations(recorded)
    await uow.grades.replace_current(recorded, announced)
    await uow.grades.add_grade_events((announced[r.id].event_id, grade_document(r)) for r, new in graded if new)


async def _progress(ctx: EvaluationContext, run_id: str, **values: Any) -> None:
    """Progress is written beside the run's own transaction, so readers see it while it works."""
    async with ctx.uow() as uow:
        await uow.runs.change(run_id, **values)
    ctx.run_progress(run_id, values)
