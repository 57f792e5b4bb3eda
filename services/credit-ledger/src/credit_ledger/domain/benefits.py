"""The benefits register: what a grade event changes in enterprises' entitlements.

`decide` is pure: given the register entries of the enterprises concerned and one grade event
(with the enterprises the penetration chain reached from its parcel), it returns the changes —
granted, revoked, or updated (still held, on different grounds) — each with its reason, and the
new register entries. How entitlements combine across parcels is in `entitlements`.

Responsible persons get no entitlements: approval systems ask about enterprises (by USCC).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from .entitlements import Entitlement, Grounds, Standing, entitlements
from .grades import GradeFact
from .penetration import Relation


@dataclass(frozen=True)
class ReachedEnterprise:
    uscc: str
    relation: Relation
    path_sentence: str


@dataclass(frozen=True)
class Held:
    entitlement: Entitlement
    since: datetime
    reason: str
    grounds: tuple[str, ...]  # the parcel ids it rests on


@dataclass(frozen=True)
class EnterpriseBenefits:
    uscc: str
    standings: Mapping[str, Standing] = field(default_factory=dict)  # parcel id -> standing
    held: Mapping[Entitlement, Held] = field(default_factory=dict)


class Action(enum.StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"
    UPDATED = "updated"


@dataclass(frozen=True)
class BenefitChange:
    uscc: str
    entitlement: Entitlement
    action: Action
    reason: str
    at: datetime
    grounds: tuple[str, ...]  # parcel ids the entitlement now rests on (empty when revoked)


@dataclass(frozen=True)
class HistoryEntry:
    """A change as the register's history keeps it, with the grade that caused it."""

    entitlement: Entitlement
    action: str
    reason: str
    at: datetime
    parcel_id: str
    grade: str
    grade_status: str


@dataclass(frozen=True)
class Decision:
    changes: list[BenefitChange]
    register: dict[str, EnterpriseBenefits]  # new entries for every enterprise the event touched


def _updated(old: Standing | None, fact: GradeFact, tie: ReachedEnterprise) -> Standing | None:
    """The standing after the event, or None when the event is not newer than what we know."""
    base = old or Standing(fact.parcel_id, tie.relation, tie.path_sentence)
    if base.latest_at is not None and fact.graded_at <= base.latest_at:
        return None
    base = replace(base, relation=tie.relation, path_sentence=tie.path_sentence)
    if fact.final:
        return replace(base, final_grade=fact.grade, final_at=fact.graded_at, final_year=fact.year,
                       pending_grade=None, pending_at=None)
    return replace(base, pending_grade=fact.grade, pending_at=fact.graded_at)


def _grant_reason(grounds: list[Standing]) -> str:
    return "; ".join(s.describe(s.final_grade, True) for s in grounds if s.final_grade is not None)


def decide(
    register: Mapping[str, EnterpriseBenefits], fact: GradeFact, reached: Sequence[ReachedEnterprise]
) -> Decision:
    """Apply one grade event to every enterprise it reaches or that was tied to its parcel before.

    An enterprise tied to the parcel before but no longer reached (its link ended, or the right
    changed hands) loses that tie, unless the tie rests on an earlier year's final grade and this
    grade is not final (`_kept`). A duplicate or older event changes nothing.
    """
    ties = {r.uscc: r for r in reached}
    former = {u for u, e in register.items() if fact.parcel_id in e.standings and u not in ties}
    changes: list[BenefitChange] = []
    new_register: dict[str, EnterpriseBenefits] = {}
    for uscc in sorted(set(ties) | former):
        entry = register.get(uscc) or EnterpriseBenefits(uscc)
        standings = dict(entry.standings)
        old = standings.get(fact.parcel_id)
        if uscc in ties:
            new = _updated(old, fact, ties[uscc])
            if new is None:
                continue
            standings[fact.parcel_id] = new
            cause = new.describe(fact.grade, fact.final)
        else:
            assert old is not None
            if (old.latest_at is not None and fact.graded_at <= old.latest_at) or _kept(old, fact):
                continue
            del standings[fact.parcel_id]
            cause = f"no longer related to parcel {fact.parcel_id}"
        held, entry_changes = _reconcile(uscc, entry.held, entitlements(standings.values()), fact, cause)
        changes.extend(entry_changes)
        new_register[uscc] = EnterpriseBenefits(uscc, standings, held)
    return Decision(changes, new_register)


def _kept(old: Standing, fact: GradeFact) -> bool:
    """A tie from an earlier year's final grade stays while a later year of the parcel is graded
    provisionally without reaching the enterprise: the later year is another holder's (a transfer,
    转让) or another set of relations, not a judgement of the year the tie rests on. The later
    year's final grade ends it."""
    return old.final_year is not None and old.final_year < fact.year and not fact.final


def _reconcile(
    uscc: str, held: Mapping[Entitlement, Held], target: Grounds, fact: GradeFact, cause: str
) -> tuple[dict[Entitlement, Held], list[BenefitChange]]:
    at, new_held, changes = fact.graded_at, {}, []
    for kind in Entitlement:
        before, grounds = held.get(kind), target.get(kind)
        if grounds is None:
            if before is not None:
                changes.append(BenefitChange(uscc, kind, Action.REVOKED, f"revoked: {cause}", at, ()))
            continue
        parcels = tuple(sorted(s.parcel_id for s in grounds))
        reason = _grant_reason(grounds)
        if before is None:
            new_held[kind] = Held(kind, at, reason, parcels)
            changes.append(BenefitChange(uscc, kind, Action.GRANTED, reason, at, parcels))
        elif before.grounds != parcels or before.reason != reason:
            new_held[kind] = replace(before, reason=reason, grounds=parcels)
            changes.append(BenefitChange(uscc, kind, Action.UPDATED, reason, at, parcels))
        else:
            new_held[kind] = before
    return new_held, changes
