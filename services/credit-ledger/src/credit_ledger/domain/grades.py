"""The grade scale and the facts of one grade event, as the credit ledger needs them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Grade(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def rank(self) -> int:
        """0 for A (best) to 3 for D (worst)."""
        return "ABCD".index(self.value)

    def worse_than(self, other: Grade) -> bool:
        return self.rank > other.rank


def worst(*grades: Grade | None) -> Grade | None:
    present = [g for g in grades if g is not None]
    return max(present, key=lambda g: g.rank) if present else None


class GradeStatus(enum.StrEnum):
    """A provisional grade is still in its public-notice/objection window; a final one is not."""

    PROVISIONAL = "provisional"
    FINAL = "final"


@dataclass(frozen=True)
class GradeFact:
    """One grading of one parcel, as published by the evaluation service.

    `evaluation_id` identifies the grading itself: the same grading delivered twice (even under
    two event ids) must produce the same credit records, so record ids derive from it.
    """

    evaluation_id: str
    parcel_id: str
    holder_uscc: str
    grade: Grade
    status: GradeStatus
    year: int
    ruleset_version: str
    reasons: tuple[str, ...]
    graded_at: datetime

    @property
    def final(self) -> bool:
        return self.status is GradeStatus.FINAL

    def summary(self) -> str:
        why = "; ".join(self.reasons) if self.reasons else "no reason given"
        return (
            f"parcel {self.parcel_id} graded {self.grade.value} ({self.status.value}, {self.year}, "
            f"ruleset {self.ruleset_version}): {why}"
        )


@dataclass(frozen=True)
class QualityHolder:
    """A rights holder on the public list: an A by the latest final grading of a parcel in a year."""

    uscc: str
    enterprise_name: str | None
    parcel_id: str
    year: int
    # A newer grading of the parcel is at or below the public list's review grade (see `disclosure`).
    under_review: bool = False
