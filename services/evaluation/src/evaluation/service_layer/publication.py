"""A yearly run goes draft -> published (objection window, 公示) -> final. Benefits follow final."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from evaluation.adapters import outbox_bulk, rulesets_store, runs_store
from evaluation.adapters.tables import current_grades, evaluations, objections
from evaluation.service_layer.context import GRADING_LOCK, EvaluationContext
from evaluation.service_layer.grade_events import document_from_row
from servicekit.read_cache import EVERYTHING, changed


class PublicationError(Exception):
    """The run is not in a state that allows this step; the message says why."""


async def publish(ctx: EvaluationContext, run_id: str, window_days: int | None) -> dict[str, Any]:
    async with ctx.db.transaction() as session:
        run = await runs_store.get(session, run_id, for_update=True)
        if run is None:
            raise LookupError(run_id)
        if run["state"] != "draft":
            raise PublicationError(f"only a draft run can be published; this one is {run['state']}")
        if window_days is None:
            ruleset = await rulesets_store.get(session, run["ruleset_id"])
            window_days = ruleset.objection_window_days if ruleset else 5
        now = ctx.clock()
        await runs_store.change(session, run_id, state="published", published_at=now,
                                objection_deadline=now + timedelta(days=window_days))
        return await runs_store.get(session, run_id) or {}


async def finalize(ctx: EvaluationContext, run_id: str) -> dict[str, Any]:
    """Makes the year's current grades final and announces each one (status final)."""
    finalized = await _finalize(ctx, run_id)
    ctx.outbox.written.set()  # committed: the relay may publish the final grades now
    return finalized


async def _finalize(ctx: EvaluationContext, run_id: str) -> dict[str, Any]:
    async with ctx.db.transaction() as session:
        await session.execute(select(func.pg_advisory_xact_lock(GRADING_LOCK)))  # no re-grade slips between
        run = await runs_store.get(session, run_id, for_update=True)
        if run is None:
            raise LookupError(run_id)
        if run["state"] != "published":
            raise PublicationError(f"only a published run can be made final; this one is {run['state']}")
        now = ctx.clock()
        if run["objection_deadline"] and now < run["objection_deadline"]:
            raise PublicationError(f"the objection window is open until {run['objection_deadline'].isoformat()}")
        pending = (await session.scalars(select(objections.c.id).where(
            objections.c.run_id == run_id, objections.c.state == "submitted"))).all()
        if pending:
            raise PublicationError(f"{len(pending)} objection(s) still await a decision: {', '.join(pending[:20])}")
        year = run["year"]
        rows = (await session.execute(
            select(evaluations, current_grades.c.grade.label("current_grade"))
            .join(current_grades, current_grades.c.evaluation_id == evaluations.c.id)
            .where(current_grades.c.year == year))).all()
        ids = [r.id for r in rows]
        changed(session, EVERYTHING)
        await session.execute(update(current_grades).where(current_grades.c.year == year).values(status="final"))
        for start in range(0, len(ids), 10000):
            await session.execute(update(evaluations).where(evaluations.c.id.in_(ids[start:start + 10000]))
                                  .values(status="final"))
        await outbox_bulk.add_grade_events(session, ctx.outbox, (document_from_row(r, "final") for r in rows))
        await runs_store.change(session, run_id, state="final", finalized_at=now)
        return await runs_store.get(session, run_id) or {}
