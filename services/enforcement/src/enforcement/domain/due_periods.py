"""How long a case may stay in each state before it is overdue (the comply-by period).

The periods are settings: deployments override them per kind and state (in days)
without touching code. A state mapped to None has no comply-by date — e.g. a
referral to legal proceedings runs at the court's pace, not ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from enforcement.domain.case_states import CaseKind, CaseState, states_of
from enforcement.domain.local_time import local_date

DEFAULT_DUE_DAYS: dict[str, dict[str, int | None]] = {
    "enforcement": {
        "opened": 10,  # start the enforcement inspection
        "inspecting": 20,  # issue the rectification plan
        "plan_issued": 30,  # holder starts rectifying
        "rectifying": 90,  # rectification complete
        "rectified": 30,  # re-evaluation done and case closed
        "referred_to_legal": None,
    },
    "renewal_guidance": {
        "opened": 15,  # policy briefing held
        "briefed": 30,  # one-to-one explanation done, matching started
        "matching": 90,  # suitable enterprises matched, renewal agreed
        "renewal_agreed": 30,  # renewal under way, case closed
    },
}


@dataclass(frozen=True)
class DuePolicy:
    periods: Mapping[tuple[CaseKind, CaseState], timedelta | None]

    def due_date(self, kind: CaseKind, state: CaseState, at: datetime) -> date | None:
        """Comply-by date for a case entering `state` at `at`: that Beijing-time day plus the period."""
        period = self.periods.get((kind, state))
        return None if period is None else local_date(at) + period

    @classmethod
    def from_days(cls, overrides: Mapping[str, Mapping[str, int | None]] | None = None) -> DuePolicy:
        """The defaults with `overrides` ({kind: {state: days or None}}) laid over them."""
        merged = {kind: dict(states) for kind, states in DEFAULT_DUE_DAYS.items()}
        for kind_name, states in (overrides or {}).items():
            if kind_name not in merged:
                raise ValueError(f"unknown case kind {kind_name!r} in due periods")
            merged[kind_name].update(states)
        periods: dict[tuple[CaseKind, CaseState], timedelta | None] = {}
        for kind_name, states in merged.items():
            kind = CaseKind(kind_name)
            for state_name, days in states.items():
                if state_name not in states_of(kind) or state_name == CaseState.CLOSED:
                    raise ValueError(f"{state_name!r} is not an open state of a {kind} case")
                if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days <= 0):
                    raise ValueError(f"due period for {kind}.{state_name} must be a positive number of days")
                periods[(kind, CaseState(state_name))] = None if days is None else timedelta(days=days)
        return cls(periods)
