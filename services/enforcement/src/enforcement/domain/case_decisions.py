"""What a grade event means for a parcel's cases.

D opens an enforcement case, C a renewal-guidance case; one open case per
parcel and kind, so a grade delivered twice (or re-confirmed by a later run)
changes nothing. A parcel that leaves D or C gets its open case closed with the
new grade as the reason. A D that arrives after the enforcement case reached
`rectified` means the re-evaluation still found a violation: the case goes back
to `inspecting`. Grades older than the last one acted on are ignored, because
a late, out-of-date grade must not reopen what a newer one settled: older by
year first (a year's final grade is published, or corrected, while the next
year is already being graded), then by when it was graded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from enforcement.domain.case_states import CaseKind, CaseState
from enforcement.domain.cases import Case

KIND_FOR_GRADE: dict[str, CaseKind] = {"D": CaseKind.ENFORCEMENT, "C": CaseKind.RENEWAL_GUIDANCE}


@dataclass(frozen=True, order=True)
class GradeOrder:
    """Where a grading stands among a parcel's gradings: a later year's says more about the parcel
    now than an earlier year's, whenever each was made; within a year, the later grading does."""

    year: int
    graded_at: datetime


@dataclass(frozen=True)
class GradeChange:
    parcel_id: str
    grade: str  # "A" | "B" | "C" | "D"
    year: int
    graded_at: datetime
    reasons: tuple[str, ...] = ()

    @property
    def order(self) -> GradeOrder:
        return GradeOrder(self.year, self.graded_at)


@dataclass(frozen=True)
class OpenCase:
    kind: CaseKind
    reason: str


@dataclass(frozen=True)
class CloseCase:
    case_id: str
    reason: str


@dataclass(frozen=True)
class ReopenCase:
    case_id: str
    reason: str


Decision = OpenCase | CloseCase | ReopenCase


def decide(change: GradeChange, open_cases: Sequence[Case], last: GradeOrder | None) -> list[Decision]:
    """The case decisions for one grade event, given the parcel's open cases and the newest grading
    acted on before it."""
    if last is not None and change.order < last:
        return []
    grade = change.grade.strip().upper()
    wanted = KIND_FOR_GRADE.get(grade)
    why = f"parcel graded {grade}" + (f": {'; '.join(change.reasons)}" if change.reasons else "")
    decisions: list[Decision] = []
    for case in open_cases:
        if not case.is_open or case.parcel_id != change.parcel_id:
            continue
        if case.kind is not wanted:
            left = _grade_of(case.kind)
            decisions.append(CloseCase(case.case_id, f"parcel re-graded {grade}, no longer {left}"))
        elif case.state is CaseState.RECTIFIED and change.graded_at > case.entered_current_state_at():
            decisions.append(ReopenCase(case.case_id, f"re-evaluation after rectification: {why}"))
    has_open = any(c.is_open and c.kind is wanted and c.parcel_id == change.parcel_id for c in open_cases)
    if wanted is not None and not has_open:
        decisions.append(OpenCase(wanted, why))
    return decisions


def _grade_of(kind: CaseKind) -> str:
    return next(g for g, k in KIND_FOR_GRADE.items() if k is kind)
