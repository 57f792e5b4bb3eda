"""Enforcement cases (D) and renewal-guidance cases (C) as explicit state machines.

Enforcement (执法检查 → 整治方案 → 整改 → 重新评价):
    opened → inspecting → plan_issued → rectifying → rectified → closed
    referred_to_legal is reachable from every open state before rectified (the
    holder refuses or fails to rectify, or the parcel is in litigation from the
    start). From it a case returns to rectifying (the holder complies with a
    ruling), reaches rectified, or is closed once proceedings end.
    rectified → inspecting reopens a case whose re-evaluation still found a D.
Renewal guidance (policy briefing, one-to-one explanation, matching enterprises):
    opened → briefed → matching → renewal_agreed → closed

Besides these edges, a case of either kind is closed from any open state when
its parcel is re-graded out of the class that opened it (cases.Case.close_for_grade).
Every change is a timeline entry: who, when, why and the next comply-by date.
"""

from __future__ import annotations

from enum import StrEnum


class CaseKind(StrEnum):
    ENFORCEMENT = "enforcement"
    RENEWAL_GUIDANCE = "renewal_guidance"


class CaseState(StrEnum):
    OPENED = "opened"
    INSPECTING = "inspecting"
    PLAN_ISSUED = "plan_issued"
    RECTIFYING = "rectifying"
    RECTIFIED = "rectified"
    REFERRED_TO_LEGAL = "referred_to_legal"
    BRIEFED = "briefed"
    MATCHING = "matching"
    RENEWAL_AGREED = "renewal_agreed"
    CLOSED = "closed"


S = CaseState
TRANSITIONS: dict[CaseKind, dict[CaseState, frozenset[CaseState]]] = {
    CaseKind.ENFORCEMENT: {
        S.OPENED: frozenset({S.INSPECTING, S.REFERRED_TO_LEGAL}),
        S.INSPECTING: frozenset({S.PLAN_ISSUED, S.REFERRED_TO_LEGAL}),
        S.PLAN_ISSUED: frozenset({S.RECTIFYING, S.REFERRED_TO_LEGAL}),
        S.RECTIFYING: frozenset({S.RECTIFIED, S.REFERRED_TO_LEGAL}),
        S.RECTIFIED: frozenset({S.CLOSED, S.INSPECTING}),
        S.REFERRED_TO_LEGAL: frozenset({S.RECTIFYING, S.RECTIFIED, S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    CaseKind.RENEWAL_GUIDANCE: {
        S.OPENED: frozenset({S.BRIEFED}),
        S.BRIEFED: frozenset({S.MATCHING}),
        S.MATCHING: frozenset({S.RENEWAL_AGREED}),
        S.RENEWAL_AGREED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    },
}


def states_of(kind: CaseKind) -> frozenset[CaseState]:
    return frozenset(TRANSITIONS[kind])
