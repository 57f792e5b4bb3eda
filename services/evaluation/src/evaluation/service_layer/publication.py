"""A yearly run goes draft -> published (objection window, 公示) -> final. Benefits follow final."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from evaluation.service_layer.outgoing import document_from_row
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork


class PublicationError(Exception):
    """The run is not in a state that allows this step; the message says why."""


async def publish(uow: EvaluationUnitOfWork, run_id: str, window_days: int | None) -> dict[str, Any]:
    async with uow:
        run = await uow.runs.get(run_id, for_update=True)
        if run is None:
            raise LookupError(run_id)
        if run["state"] != "draft":
            raise PublicationError(f"only a draft run can be published; this one is {run['state']}")
        if window_days is None:
            ruleset = await uow.rulesets.get(run["ruleset_id"])
            window_days = ruleset.objection_window_days if ruleset else 5
        now = uow.clock()
        await uow.runs.change(run_id, state="published", published_at=now,
                              objection_deadline=now + timedelta(days=window_days))
        return await uow.runs.get(run_id) or {}


async def finalize(uow: EvaluationUnitOfWork, run_id: str) -> dict[str, Any]:
    """Makes the year's current grades final and announces each one (status final)."""
    async with uow:
        await uow.grading_lock.take()  # no re-grade slips between
        run = await uow.runs.get(run_id, for_update=True)
        if run is None:
            raise LookupError(run_id)
        if run["state"] != "published":
            raise PublicationError(f"only a published run can be made final; this one is {run['state']}")
        now = uow.clock()
        if run["objection_deadline"] and now < run["objection_deadline"]:
            raise PublicationError(f"the objection window is open until {run['objection_deadline'].isoformat()}")
        pending = await uow.objections.pending(run_id)
        if pending:
            raise PublicationError(f"{len(pending)} objection(s) still await a decision: {', '.join(pending[:20])}")
        rows = await uow.grades.make_year_final(run["year"])
        await uow.grades.add_grade_events(document_from_row(r, "final") for r in rows)
        await uow.runs.change(run_id, state="final", finalized_at=now)
        finalized = await uow.runs.get(run_id) or {}
    uow.storage.outbox.written.set()  # committed: the relay may publish the final grades now
    return finalized
