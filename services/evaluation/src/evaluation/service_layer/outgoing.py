"""The grade event (`landgrade.evaluation.grades.v1`, key parcel id) for a recorded evaluation.

`grade_document` builds the event's data as plain JSON; single events go through the pydantic
contract (`ParcelGraded`), and a unit test holds the two equal, so the yearly run may write its
many events straight from the documents. Live gradings write theirs through `write_live_grades`,
on the lane that keeps each parcel-year's order (`domain.lanes`).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from evaluation.domain.lanes import route
from evaluation.domain.records import Current, Recorded
from landgrade_events.evaluation import ParcelGraded
from servicekit.ids import new_id
from servicekit.inbox import Received

if TYPE_CHECKING:
    from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork


def _status(status: str) -> str:
    return "final" if status == "final" else "provisional"


def grade_document(recorded: Recorded) -> dict[str, Any]:
    e = recorded.evaluation
    return {
        "evaluation_id": recorded.id, "parcel_id": e.parcel_id, "holder_uscc": recorded.holder_uscc,
        "street": recorded.street, "year": e.year, "grade": e.grade.value,
        "previous_grade": recorded.previous_grade, "status": _status(recorded.status),
        "reasons": [{"clause": r.clause_id, "code": r.code, "text_zh": r.zh, "text_en": r.en,
                     "grade": r.grade.value if r.grade else None, "setting": r.setting,
                     "clause_id": r.clause_id, "zh": r.zh, "en": r.en} for r in e.reasons],
        "flags": [f.value for f in e.flags], "review_case_needed": e.review_case_needed,
        "metrics": e.metrics.to_dict(), "ruleset_id": e.ruleset_id,
        "triggering_event_id": recorded.trigger_event_id, "run_id": recorded.run_id,
        "evaluated_at": recorded.evaluated_at.isoformat().replace("+00:00", "Z"),
        "correction": recorded.correction.to_dict() if recorded.correction else None,
    }


def grade_event(recorded: Recorded) -> ParcelGraded:
    return ParcelGraded.model_validate(grade_document(recorded))


def document_from_row(row: Any, status: str) -> dict[str, Any]:
    """A grade event re-issued from a stored evaluation (finalisation)."""
    return {
        "evaluation_id": row.id, "parcel_id": row.parcel_id, "holder_uscc": row.holder_uscc,
        "street": row.street, "year": row.year, "grade": row.grade, "previous_grade": row.previous_grade,
        "status": _status(status),
        "reasons": [{"clause": r["clause_id"], "code": r["code"], "text_zh": r["zh"], "text_en": r["en"],
                     "grade": r.get("grade"), "setting": r.get("setting"), "clause_id": r["clause_id"],
                     "zh": r["zh"], "en": r["en"]} for r in row.reasons],
        "flags": list(row.flags), "review_case_needed": row.review_case_needed, "metrics": row.metrics,
        "ruleset_id": row.ruleset_id, "triggering_event_id": row.trigger_event_id, "run_id": row.run_id,
        "evaluated_at": row.evaluated_at.isoformat().replace("+00:00", "Z"),
    }


async def write_live_grades(uow: EvaluationUnitOfWork,
                            gradings: list[tuple[Recorded, Current | None, Received[Any] | None]]) -> None:
    """Live gradings, in order, each with the current grade it replaces (as read before the first)
    and the event that caused it (its trace follows): their evaluations, then their grade events,
    each on the lane `domain.lanes` routes it by, a bulk event re-sent on the live lane just before
    the event it must precede."""
    routes = route(((recorded, previous) for recorded, previous, _ in gradings), new_id)
    await uow.grades.record_many([r for r, _, _ in gradings],
                                 {t.recorded.id: b for t in routes if (b := t.bulk_event) is not None})
    resent = [t.resend for t in routes if t.resend is not None]
    stored = await uow.grades.evaluations_by_id({b.evaluation_id for b in resent if b.evaluation_id}) if resent else {}
    await uow.grades.withdraw_bulk_events([b.event_id for b in resent])
    outbox, rows = uow.storage.outbox, []
    for taken, (_, _, received) in zip(routes, gradings, strict=True):
        with received.traced() if received is not None else nullcontext():
            if taken.resend is not None and taken.resend.evaluation_id is not None:
                row = stored[taken.resend.evaluation_id]
                again = document_from_row(row, row.status)
                rows.append(outbox.row(ParcelGraded.model_validate(again), taken.resend.event_id))
            rows.append(outbox.row(grade_event(taken.recorded), taken.event_id, bulk=taken.bulk))
    # Two gradings at once may both re-send one bulk event; without a re-send, a plain insert.
    await uow.emit_rows(rows, once=bool(resent))
