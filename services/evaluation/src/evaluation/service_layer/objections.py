"""Objections (异议) during the publication window: recorded, reviewed, and possibly upheld.

An upheld objection with a new grade records a new evaluation for the parcel and year — the old
reasons plus the decision — and announces it, before the year's results become final.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from evaluation.domain.evaluation import Evaluation, Reason
from evaluation.domain.grades import Grade
from evaluation.domain.identifiers import NotYourParcel
from evaluation.domain.records import Current, Recorded
from evaluation.service_layer.outgoing import write_live_grades
from evaluation.service_layer.publication import PublicationError
from evaluation.service_layer.queries import holds
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from servicekit.idempotency import IdempotentRequest


async def submit(uow: EvaluationUnitOfWork, parcel_id: str, year: int, statement: str,
                 requested_grade: str | None, submitted_by: str,
                 idempotency: IdempotentRequest | None = None, enterprise: str | None = None) -> dict[str, Any]:
    """Records an objection. A caller bound to an `enterprise` objects only for a parcel that
    enterprise holds (in the grade objected to, or in the facts): `NotYourParcel` otherwise,
    before anything about the parcel or the window is told."""
    async with uow:
        if (earlier := await uow.replayed(idempotency)) is not None:
            return await uow.objections.get(earlier[1]["id"]) or {}
        current = await uow.grades.current(parcel_id, year)
        if enterprise is not None and not await holds(
                uow, enterprise, parcel_id, current.holder_uscc if current is not None else None):
            raise NotYourParcel(parcel_id)
        run = await uow.runs.open_for_objection(year)
        now = uow.clock()
        if run is None or (run["objection_deadline"] and now > run["objection_deadline"]):
            raise PublicationError("no-objection-window", f"{year}年度没有正在进行的异议期。",
                                   f"No objection window is open for {year}.")
        if current is None:
            raise LookupError(f"parcel {parcel_id} has no grade for {year}")
        objection_id = str(uuid.uuid4())
        await uow.objections.add(
            id=objection_id, run_id=run["id"], parcel_id=parcel_id, year=year,
            holder_uscc=current.holder_uscc, statement=statement, requested_grade=requested_grade,
            state="submitted", submitted_by=submitted_by, submitted_at=now)
        await uow.remember(idempotency, 201, {"id": objection_id})
        return await uow.objections.get(objection_id) or {}


async def decide(uow: EvaluationUnitOfWork, objection_id: str, upheld: bool, new_grade: str | None,
                 note: str, decided_by: str) -> dict[str, Any]:
    async with uow:
        objection = await uow.objections.get(objection_id, for_update=True)
        if objection is None:
            raise LookupError(objection_id)
        if objection["state"] != "submitted":
            raise PublicationError("objection-decided", f"该异议已作出决定（{objection['state']}）。",
                                   f"The objection was decided already: {objection['state']}.")
        run = await uow.runs.get(objection["run_id"])
        if run is None or run["state"] != "published":
            raise PublicationError("no-objection-window", "该年度评价结果已不在异议期内。",
                                   "The year's results are no longer open for objections.")
        now = uow.clock()
        if upheld and new_grade is not None:
            await uow.grading_lock.share([objection["year"]])
            row = await uow.grades.current_evaluation(objection["parcel_id"], objection["year"])
            previous = await uow.grades.current(objection["parcel_id"], objection["year"])
            if row is not None and previous is not None and new_grade != row.grade:
                recorded = _regraded(row, previous, Grade(new_grade), note, objection_id, now)
                await write_live_grades(uow, [(recorded, previous, None)])
        await uow.objections.decide(objection_id, state="upheld" if upheld else "rejected",
                                    decided_grade=new_grade if upheld else None, decision_note=note,
                                    decided_by=decided_by, decided_at=now)
        return await uow.objections.get(objection_id) or {}


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
