"""A case: one parcel's enforcement (D) or renewal-guidance (C) process and its timeline.

The state machines themselves (states and allowed edges) are in case_states.
Besides those edges, a case of either kind is closed from any open state when its
parcel is re-graded out of the class that opened it (Case.close_for_grade).
Every change is a timeline entry: who, when, why and the next comply-by date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from enforcement.domain.case_states import TRANSITIONS, CaseKind, CaseState
from enforcement.domain.errors import FieldError, IllegalTransition, InvalidInput
from enforcement.domain.local_time import local_date

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
    due_date: date | None  # comply-by, a Beijing-time calendar day


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
    due_date: date | None
    holder_uscc: str | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    closed_at: datetime | None = None
    # The due date an overdue notice was already raised for: one notice per missed date.
    overdue_flagged_for: date | None = None
    events: list[CaseChanged | CaseOverdue] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state is not CaseState.CLOSED

    def allowed_next(self) -> frozenset[CaseState]:
        return TRANSITIONS[self.kind][self.state]

    def entered_current_state_at(self) -> datetime:
        moves = [e for e in self.timeline if e.action != "overdue" and e.to_state is self.state]
        return moves[-1].at if moves else self.opened_at

    def repeats_last_move(self, to: CaseState, by: str, reason: str) -> bool:
        """True when this exact move was the last one made: a client retrying a request it
        did not see answered. Machines have no self-loops, so a genuine second move cannot look alike."""
        moves = [e for e in self.timeline if e.action == "transition"]
        return bool(moves) and self.state is to and moves[-1].to_state is to and (
            moves[-1].by, moves[-1].reason) == (by.strip(), reason.strip())

    def transition(self, to: CaseState, *, at: datetime, by: str, reason: str,
                   due_policy: DuePolicy, due_date: date | None = None) -> TimelineEntry:
        """Move along an edge of this kind's machine; raise IllegalTransition otherwise."""
        if to not in self.allowed_next():
            raise IllegalTransition(self.kind, self.state, to)
        return self._move(to, at=at, by=by, reason=reason, due_policy=due_policy, due_date=due_date)

    def close_for_grade(self, *, at: datetime, by: str, reason: str) -> TimelineEntry:
        """Close because the grade that opened the case no longer holds (any open state)."""
        if not self.is_open:
            raise IllegalTransition(self.kind, self.state, CaseState.CLOSED)
        return self._move(CaseState.CLOSED, at=at, by=by, reason=reason, due_policy=None, due_date=None)

    def _move(self, to: CaseState, *, at: datetime, by: str, reason: str,
              due_policy: DuePolicy | None, due_date: date | None) -> TimelineEntry:
        _check_entry(at, by, reason, due_date)
        if to is CaseState.CLOSED:
            due_date = None
        elif due_date is None and due_policy is not None:
            due_date = due_policy.due_date(self.kind, to, at)
        entry = TimelineEntry(at, by.strip(), "transition", self.state, to, reason.strip(), due_date)
        self.state, self.due_date, self.overdue_flagged_for = to, due_date, None
        self.closed_at = at if to is CaseState.CLOSED else None
        self.timeline.append(entry)
        self.events.append(CaseChanged(self.case_id, self.kind, self.parcel_id, self.street, entry))
        return entry

    def flag_overdue(self, now: datetime, *, by: str) -> bool:
        """Record that the comply-by date passed; True only the first time for that date."""
        if not is_overdue(self, now) or self.overdue_flagged_for == self.due_date:
            return False
        why = f"comply-by date {self.due_date:%Y-%m-%d} passed in state {self.state}"
        entry = TimelineEntry(now, by, "overdue", self.state, self.state, why, self.due_date)
        self.overdue_flagged_for = self.due_date
        self.timeline.append(entry)
        self.events.append(CaseOverdue(self.case_id, self.kind, self.parcel_id, self.street, entry))
        return True


def open_case(*, case_id: str, kind: CaseKind, parcel_id: str, street: str | None, at: datetime,
              by: str, reason: str, due_policy: DuePolicy, holder_uscc: str | None = None) -> Case:
    _check_entry(at, by, reason, None)
    due_date = due_policy.due_date(kind, CaseState.OPENED, at)
    entry = TimelineEntry(at, by.strip(), "opened", None, CaseState.OPENED, reason.strip(), due_date)
    case = Case(case_id, kind, parcel_id, street, CaseState.OPENED, at, due_date, holder_uscc, [entry])
    case.events.append(CaseChanged(case_id, kind, parcel_id, street, entry))
    return case


def is_overdue(case: Case, now: datetime) -> bool:
    """A case is overdue when it is still open and its comply-by day has ended (Beijing time)."""
    return case.is_open and case.due_date is not None and local_date(now) > case.due_date


def _check_entry(at: datetime, by: str, reason: str, due_date: date | None) -> None:
    errors = []
    if at.tzinfo is None:
        errors.append(FieldError("at", "must carry a time zone offset", "须带时区偏移"))
    if not (by or "").strip():
        errors.append(FieldError("by", "who made the change is required", "须写明由谁变更"))
    if not (reason or "").strip():
        errors.append(FieldError("reason", "why the case changes is required", "须写明变更理由"))
    if due_date is not None and at.tzinfo is not None and due_date <= local_date(at):
        errors.append(FieldError("due_date", "the comply-by date must lie after the day of the change",
                                 "整改期限须晚于变更当日"))
    if errors:
        raise InvalidInput(errors)


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to; `jurisdiction` is set for a caller bound to one area,
    which then sees its own area only whatever else it asks for."""

    kind: str | None = None
    state: str | None = None
    street: str | None = None
    parcel_id: str | None = None
    overdue: bool | None = None
    jurisdiction: str | None = None
