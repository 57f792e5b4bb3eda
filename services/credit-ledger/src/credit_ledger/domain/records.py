"""Credit records: what a grade or an enforcement case writes into the credit ledger.

A grade produces one record for every subject the penetration chain reaches from the parcel —
the rights holder, its responsible persons, their other enterprises and the holder's equity-linked
enterprises — each stating how the subject is related (the path) and why (the grade's reasons).
Only final grades produce records: a provisional grade is still open to objection, and a credit
file must not carry a verdict that may yet change.

Record ids derive from what produced the record (the evaluation or case id) and the subject, so
the same grading delivered twice yields the same ids and can be written only once.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .grades import Grade, GradeFact
from .penetration import Path, Reached, Relation, Step, SubjectKind

_IDS = uuid.UUID("6f1d8c1e-4a53-4d3e-9b8e-3c1b0f2a7d10")  # namespace for derived record ids


class RecordKind(enum.StrEnum):
    GRADE = "grade"
    CASE = "case"
    REPAIR = "repair"


class Polarity(enum.StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


# C means an unauthorised lease exists (a violation, even if the holder cooperates); D is worse.
GRADE_POLARITY = {Grade.A: Polarity.POSITIVE, Grade.B: Polarity.NEUTRAL,
                  Grade.C: Polarity.NEGATIVE, Grade.D: Polarity.NEGATIVE}


def record_id(origin: str, kind: RecordKind, subject_kind: SubjectKind, subject_ref: str) -> str:
    return str(uuid.uuid5(_IDS, f"{kind.value}:{origin}:{subject_kind.value}:{subject_ref}"))


@dataclass(frozen=True)
class CreditRecord:
    record_id: str
    kind: RecordKind
    origin: str  # evaluation id, case id or repair id: records of one origin belong together
    subject_kind: SubjectKind
    subject_ref: str  # USCC or person token
    parcel_id: str
    relation: Relation
    path: tuple[dict[str, str | None], ...]
    path_sentence: str
    polarity: Polarity
    reason: str
    occurred_at: datetime
    grade: Grade | None = None
    year: int | None = None
    supersedes: str | None = None  # for repairs: the record whose disclosure this ends

    def payload(self) -> dict[str, Any]:
        """The content that is hash-chained; every field of the record is in it."""
        return {
            "record_id": self.record_id, "kind": self.kind, "origin": self.origin,
            "subject_kind": self.subject_kind, "subject_ref": self.subject_ref,
            "parcel_id": self.parcel_id, "relation": self.relation, "path": list(self.path),
            "path_sentence": self.path_sentence, "polarity": self.polarity, "reason": self.reason,
            "occurred_at": self.occurred_at, "grade": self.grade, "year": self.year,
            "supersedes": self.supersedes,
        }


def records_for_grade(fact: GradeFact, reached: list[Reached]) -> list[CreditRecord]:
    """One record per reached subject; nothing for a provisional grade."""
    if not fact.final:
        return []
    records = []
    for subject in reached:
        path = subject.path
        relation = (
            "it is the parcel's rights holder" if subject.relation is Relation.HOLDER
            else f"it is related as {subject.relation.label}: {path.sentence()}"
        )
        records.append(CreditRecord(
            record_id=record_id(fact.evaluation_id, RecordKind.GRADE, subject.kind, subject.ref),
            kind=RecordKind.GRADE, origin=fact.evaluation_id,
            subject_kind=subject.kind, subject_ref=subject.ref, parcel_id=fact.parcel_id,
            relation=subject.relation, path=tuple(path.as_data()), path_sentence=path.sentence(),
            polarity=GRADE_POLARITY[fact.grade], reason=f"{fact.summary()}; {relation}",
            occurred_at=fact.graded_at, grade=fact.grade, year=fact.year,
        ))
    return records


@dataclass(frozen=True)
class CaseFact:
    """A state change of an enforcement (D) or renewal-guidance (C) case on a parcel."""

    case_id: str
    case_kind: str  # "enforcement" | "renewal_guidance"
    state: str  # e.g. "opened", "rectified", "closed"
    parcel_id: str
    holder_uscc: str
    occurred_at: datetime
    note: str = ""


def record_for_case(fact: CaseFact, holder_name: str | None = None) -> CreditRecord:
    """The holder's record of a case step. Rectification counts in its favour; other steps inform.

    Cases are the holder's own obligations, so they are not penetrated to related parties.
    """
    path = Path((Step(None, fact.parcel_id, None),
                 Step(SubjectKind.ENTERPRISE, fact.holder_uscc, Relation.HOLDER, holder_name)))
    kind_label = fact.case_kind.replace("_", "-")
    reason = f"{kind_label} case {fact.case_id} on parcel {fact.parcel_id}: {fact.state}"
    # A case may pass through a state twice (rectified, re-inspected, rectified again).
    step = f"{fact.case_id}:{fact.state}:{fact.occurred_at.isoformat()}"
    return CreditRecord(
        record_id=record_id(step, RecordKind.CASE, SubjectKind.ENTERPRISE, fact.holder_uscc),
        kind=RecordKind.CASE, origin=fact.case_id, subject_kind=SubjectKind.ENTERPRISE,
        subject_ref=fact.holder_uscc, parcel_id=fact.parcel_id, relation=Relation.HOLDER,
        path=tuple(path.as_data()), path_sentence=path.sentence(),
        polarity=Polarity.POSITIVE if fact.state == "rectified" else Polarity.NEUTRAL,
        reason=reason + (f" ({fact.note})" if fact.note else ""), occurred_at=fact.occurred_at,
    )


def superseded(records: list[CreditRecord]) -> dict[str, CreditRecord]:
    """record id -> the repair record that ended its disclosure."""
    return {r.supersedes: r for r in records if r.kind is RecordKind.REPAIR and r.supersedes}


def disclosed(records: list[CreditRecord]) -> list[CreditRecord]:
    """What a credit file discloses: every record except those a repair superseded.

    Superseded records stay in the ledger (the chain needs them); they are only no longer shown.
    """
    ended = superseded(records)
    return [r for r in records if r.record_id not in ended]
