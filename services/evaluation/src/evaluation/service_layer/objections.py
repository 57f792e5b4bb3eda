"""Objections (异议) during the publication window: recorded, reviewed, and possibly upheld.

An upheld objection with a new grade records a new evaluation for the parcel and year — the old
reasons plus the decision — and announces it, before the year's results become final.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select

from evaluation.adapters import grades_store, objections_store, runs_store
from evaluation.adapters.grades_store import Current, Recorded
from evaluation.domain.evaluation import Evaluation, Reason
from evaluation.domain.grades import Grade
from evaluation.service_layer.context import GRADING_LOCK, EvaluationContext
from evaluation.service_layer.grade_events import grade_event
from evaluation.service_layer.idempotent import IdempotentRequest
from evaluation.service_layer.publication import PublicationError


async def submit(ctx: EvaluationContext, parcel_id: str, year: int, statement: str,
                 requested_grade: str | None, submitted_by: str,
                 idempotency: IdempotentRequest | None = None) -> dict[str, Any]:
    async with ctx.db.transaction() as session:
        if idempotency and (earlier := await idempotency.replayed(session)) is not None:
            return await objections_store.get(session, earlier["id"]) or {}
        run = await runs_store.open_for_objection(session, year)
        now = ctx.clock()
        if run is None or (run["objection_deadline"] and now > run["objection_deadline"]):
            raise PublicationError(f"no objection window is open for {year}")
        current = await grades_store.current(session, parcel_id, year)
        if current is None:
            raise LookupError(f"parcel {parcel_id} has no grade for {year}")
        objection_id = str(uuid.uuid4())
        await objections_store.add(
            session, id=objection_id, run_id=run["id"], parcel_id=parcel_id, year=year,
            holder_uscc=current.holder_uscc, statement=statement, requested_grade=requested_grade,
            state="submitted", submitted_by=submitted_by, submitted_at=now)
        if idempotency:
            await idempotency.remember(session, 201, {"id": objection_id})
        return await objections_store.get(session, objection_id) or {}


async def decide(ctx: EvaluationContext, objection_id: str, upheld: bool, new_grade: str | None,
                 note: str, decided_by: str) -> dict[str, Any]:
    async with ctx.db.transaction() as session:
        objection = await objections_store.get(session, objection_id, for_update=True)
        if objection is None:
            raise LookupError(objection_id)
        if objection["state"] != "submitted":
            raise PublicationError(f"objection already decided: {objection['state']}")
        run = await runs_store.get(session, objection["run_id"])
        if run is None or run["state"] != "published":
            raise PublicationError("the year's results are no longer open for objections")
        now = ctx.clock()
        if upheld and new_grade is not None:
            await session.execute(select(func.pg_advisory_xact_lock_shared(GRADING_LOCK)))
            row = await grades_store.current_evaluation(session, objection["parcel_id"], objection["year"])
            previous = await grades_store.current(session, objection["parcel_id"], objection["year"])
            if row is not None and previous is not None and new_grade != row.grade:
                recorded = _regraded(row, previous, Grade(new_grade), note, objection_id, now)
                await grades_store.record(session, recorded)
                await ctx.outbox.add(session, grade_event(recorded))
        await objections_store.decide(session, objection_id, state="upheld" if upheld else "rejected",
                                      decided_grade=new_grade if upheld else None, decision_note=note,
                                      decided_by=decided_by, decided_at=now)
        return await objections_store.get(session, objection_id) or {}


def _regraded(row: Any, previous: Current, new_grade: Grade, note: str, objection_id: str, now: Any) -> Recorded:
    before = Evaluation.from_dict({**row._mapping, "reasons": row.reasons, "metrics": row.metrics})
    decision = Reason(
        code="objection_upheld", clause_id="setting.objection", grade=new_grade,
        zh=f"公示期异议经复核成立，评价结果由{before.grade}类调整为{new_grade}类：{note}",
        en=f"objection upheld on review during publication; grade changed from {before.grade} to {new_grade}: {note}",
        values={"objection_id": objection_id},
    )
    after = replace(before, grade=new_grade, reasons=(*before.reasons, decision))
    return Recorded(str(uuid.uuid4()), after, row.holder_uscc, row.street, previous.grade, "provisional", now,
                    run_id=row.run_id, objection_id=objection_id)
