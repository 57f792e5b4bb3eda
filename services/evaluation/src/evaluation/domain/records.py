"""Evaluations as the service keeps them: the current grade of a parcel-year, and an evaluation
recorded with where it came from (run, triggering event, objection)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evaluation.domain.evaluation import Evaluation
from evaluation.domain.facts import ParcelFacts


@dataclass(frozen=True)
class BulkEvent:
    """The grade event a whole-year write last sent for a parcel-year by the bulk lane (`lanes`):
    its id and the evaluation it announced, which it is re-sent from (status included: the stored
    evaluation's status is the one announced, a finalisation announcing it anew). `evaluation_id`
    is None when the event carried more than the stored evaluation (a correction): it cannot be
    re-sent."""

    event_id: str
    evaluation_id: str | None


@dataclass(frozen=True)
class Current:
    """The current grade of one parcel and year, as re-grading compares against it."""

    evaluation_id: str
    grade: str
    status: str
    fingerprint: str
    street: str
    holder_uscc: str
    ruleset_id: str = ""
    bulk_event: BulkEvent | None = None


@dataclass(frozen=True)
class Correction:
    """A final grade re-made by re-evaluation (重新评价): the evaluation and grade it replaces, and why."""

    re_evaluation_id: str
    replaces_evaluation_id: str | None
    replaces_grade: str | None
    reason: str

    def to_dict(self) -> dict[str, str | None]:
        return {"re_evaluation_id": self.re_evaluation_id, "replaces_evaluation_id": self.replaces_evaluation_id,
                "replaces_grade": self.replaces_grade, "reason": self.reason}


@dataclass(frozen=True)
class Recorded:
    """One evaluation as stored, ready to become a row and a grade event."""

    id: str
    evaluation: Evaluation
    holder_uscc: str
    street: str
    previous_grade: str | None
    status: str
    evaluated_at: datetime
    run_id: str | None = None
    trigger_event_id: str | None = None
    objection_id: str | None = None
    correction: Correction | None = None

    @property
    def re_evaluation_id(self) -> str | None:
        return self.correction.re_evaluation_id if self.correction else None

    @classmethod
    def new(cls, evaluation_id: str, evaluation: Evaluation, facts: ParcelFacts, previous: Current | None,
            status: str, evaluated_at: datetime, *, run_id: str | None = None,
            trigger_event_id: str | None = None) -> Recorded:
        return cls(evaluation_id, evaluation, facts.holder_uscc, facts.street,
                   previous.grade if previous else None, status, evaluated_at, run_id=run_id,
                   trigger_event_id=trigger_event_id)

    def as_current(self) -> Current:
        e = self.evaluation
        return Current(self.id, e.grade.value, self.status, e.fingerprint, self.street, self.holder_uscc,
                       e.ruleset_id)
