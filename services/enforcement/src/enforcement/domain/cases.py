"""A case: one parcel's enforcement (D) or renewal-guidance (C) process and its timeline.

The state machines themselves (states and allowed edges) are in case_states.
Besides those edges, a case of either kind is closed from any open state when its
parcel is re-graded out of the class that opened it (Case.close_for_grade).
Every change is a timeline entry: who, when, why and the next comply-by date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from enforcement.domain.case_states import TRANSITIONS, CaseKind, CaseState
from enforcement.domain.errors import FieldError, IllegalTransition, InvalidInput

if TYPE_CHECKING:
    from enforcement.domain.due_periods import DuePolicy


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    by: str
    action: str  # "opened" | "transition" | "overdue"
    from_state: CaseState | None
    to_state: CaseState
    reason: str
    due_at: datetime | None


@dataclass(frozen=True)
class CaseChanged:
    """Raised for the outbox: a case was opened or changed state."""

    case_id: str
    kind: CaseKind
    parcel_id: str
    street: str | None
    entry: TimelineEntry


@dataclass(frozen=True)
class CaseOverdue:
    """Raised for the outbox: a case passed its comply-by date without moving on."""

    case_id: str
    kind: CaseKind
    parcel_id: str
    street: str | None
    entry: TimelineEntry


@dataclass(eq=False)
class Case:
    case_id: str
    kind: CaseKind
    parcel_id: str
    street: str | None
    state: CaseState
    opened_at: datetime
    due_at: datetime | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    closed_at: datetime | None = None
    # The due date an overdue notice was already raised for: one notice per missed date.
    overdue_flagged_for: datetime | None = None
    events: list[CaseChanged | CaseOverdue] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state is not CaseState.CLOSED

    def allowed_next(self) -> frozenset[CaseState]:
        return TRANSITIONS[self.kind][self.state]

    def entered_current_state_at(self) -> datetime:
        moves = [e for e in self.timeline if e.action != "overdue" and e.to_state is self.state]
        return moves[-1].at if moves else self.opened_at

    def transition(self, to: CaseState, *, at: datetime, by: str, reason: str,
                   due_policy: DuePolicy, due_at: datetime | None = None) -> TimelineEntry:
        """Move along an edge of this kind's machine; raise IllegalTransition otherwise."""
        if to not in self.allowed_next():
            raise IllegalTransition(self.kind, self.state, to)
        return self._move(to, at=at, by=by, reason=reason, due_policy=due_policy, due_at=due_at)

    def close_for_grade(self, *, at: datetime, by: str, reason: str) -> TimelineEntry:
        """Close because the grade that opened the case no longer holds (any open state)."""
        if not self.is_open:
            raise IllegalTransition(self.kind, self.state, CaseState.CLOSED)
        return self._move(CaseState.CLOSED, at=at, by=by, reason=reason, due_policy=None, due_at=None)

    def _move(self, to: CaseState, *, at: datetime, by: str, reason: str,
              due_policy: DuePolicy | None, due_at: datetime | None) -> TimelineEntry:
        _check_entry(at, by, reason, due_at)
        if to is CaseState.CLOSED:
            due_at = None
        elif due_at is None and due_policy is not None:
            due_at = due_policy.due_at(self.kind, to, at)
        entry = TimelineEntry(at, by.strip(), "transition", self.state, to, reason.strip(), due_at)
        self.state, self.due_at, self.overdue_flagged_for = to, due_at, None
        self.closed_at = at if to is CaseState.CLOSED else None
        self.timeline.append(entry)
        self.events.append(CaseChanged(self.case_id, self.kind, self.parcel_id, self.street, entry))
        return entry

    def flag_overdue(self, now: datetime, *, by: str) -> bool:
        """Record that the comply-by date passed; True only the first time for that date."""
        if not is_overdue(self, now) or self.overdue_flagged_for == self.due_at:
            return False
        why = f"comply-by date {self.due_at:%Y-%m-%d} passed in state {self.state}"
        entry = TimelineEntry(now, by, "overdue", self.state, self.state, why, self.due_at)
        self.overdue_flagged_for = self.due_at
        self.timeline.append(entry)
        self.events.append(CaseOverdue(self.case_id, self.kind, self.parcel_id, self.street, entry))
        return True


def open_case(*, case_id: str, kind: CaseKind, parcel_id: str, street: str | None, at: datetime,
              by: str, reason: str, due_policy: DuePolicy) -> Case:
    _check_entry(at, by, reason, None)
    due_at = due_policy.due_at(kind, CaseState.OPENED, at)
    entry = TimelineEntry(at, by.strip(), "opened", None, CaseState.OPENED, reason.strip(), due_at)
    case = Case(case_id, kind, parcel_id, street, CaseState.OPENED, at, due_at, [entry])
    case.events.append(CaseChanged(case_id, kind, parcel_id, street, entry))
    return case


def is_overdue(case: Case, now: datetime) -> bool:
    """A case is overdue when it is still open and its comply-by date has passed."""
    return case.is_open and case.due_at is not None and now > case.due_at


def _check_entry(at: datetime, by: str, reason: str, due_at: datetime | None) -> None:
    errors = []
    if at.tzinfo is None:
        errors.append(FieldError("at", "must carry a time zone offset"))
    if not (by or "").strip():
        errors.append(FieldError("by", "who made the change is required"))
    if not (reason or "").strip():
        errors.append(FieldError("reason", "why the case changes is required"))
    if due_at is not None and (due_at.tzinfo is None or (at.tzinfo is not None and due_at <= at)):
        errors.append(FieldError("due_at", "must be a time zone-aware moment after the change"))
    if errors:
        raise InvalidInput(errors)
