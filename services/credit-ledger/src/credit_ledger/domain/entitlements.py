"""Which entitlements an enterprise's standings give it — the combination rule.

An enterprise may be tied to several parcels: as rights holder of some, and as a related party
(by penetration) of others. Its entitlements combine those ties like this:

- RESTRICTED (no green channel, flagged to approval systems) if ANY tie — own parcel or related
  party — is graded D. The penetration chain exists so that a D follows the responsible person.
- KEY_SERVICE_LIST (重点服务企业名单) and GREEN_CHANNEL (绿色通道 / 审批改革直通车), always
  together, if any tie is graded A or B, nothing restricts it, and it does not itself hold a C
  parcel (its own unauthorised lease must be resolved first; a related party's C does not count
  against it).
- INCENTIVE_PRIORITY for the rights holder of an A parcel and its related parties, under the
  same conditions: the A measure (优先享受激励政策) is granted to the holder together with its
  related parties, like the green channel.
- SERVICE_GUIDANCE for the rights holder of a B parcel, RENEWAL_GUIDANCE for the rights holder of
  a C parcel. These are support measures tied to that parcel, so other parcels do not cancel them.

Benefits are granted only on final grades, but a newer provisional grade that records a
violation (C or D) and is worse takes them away at once. A provisional A or B takes nothing away:
it weighs part of a year's output and tax (a year without filings yet counts as 0, so every
parcel is provisionally B on 1 January), and the last final grade stands until the year is final.
So each parcel is looked at twice: by its final grade alone (what may be granted) and by the worse
of its final grade and a pending violation (what must be taken away); an enterprise holds what
both views allow.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .grades import Grade, worst
from .penetration import Relation


class Entitlement(enum.StrEnum):
    KEY_SERVICE_LIST = "key_service_list"
    GREEN_CHANNEL = "green_channel"
    INCENTIVE_PRIORITY = "incentive_priority"
    SERVICE_GUIDANCE = "service_guidance"
    RENEWAL_GUIDANCE = "renewal_guidance"
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class Standing:
    """How one parcel's grades reach one enterprise."""

    parcel_id: str
    relation: Relation
    path_sentence: str
    final_grade: Grade | None = None
    final_at: datetime | None = None
    final_year: int | None = None
    pending_grade: Grade | None = None  # a provisional grade newer than the final one
    pending_at: datetime | None = None

    @property
    def latest_at(self) -> datetime | None:
        times = [t for t in (self.final_at, self.pending_at) if t is not None]
        return max(times) if times else None

    def describe(self, grade: Grade, final: bool) -> str:
        status = "final" if final else "provisional"
        year = f", {self.final_year}" if final and self.final_year else ""
        tie = ("as its rights holder" if self.relation is Relation.HOLDER
               else f"as {self.relation.label}: {self.path_sentence}")
        return f"parcel {self.parcel_id} graded {grade.value} ({status}{year}), {tie}"


Grounds = dict[Entitlement, list[Standing]]
VIOLATIONS = frozenset({Grade.C, Grade.D})  # grades only a violation gives: they act before the year is final


def _entitled(view: list[tuple[Standing, Grade]]) -> Grounds:
    def having(*grades: Grade, holder: bool = False) -> list[Standing]:
        return [s for s, g in view if g in grades and (not holder or s.relation is Relation.HOLDER)]

    restricting, own_c = having(Grade.D), having(Grade.C, holder=True)
    blocked = bool(restricting or own_c)
    listed = [] if blocked else having(Grade.A, Grade.B)
    rules: Grounds = {
        Entitlement.RESTRICTED: restricting,
        Entitlement.KEY_SERVICE_LIST: listed,
        Entitlement.GREEN_CHANNEL: listed,
        Entitlement.INCENTIVE_PRIORITY: [] if blocked else having(Grade.A),
        Entitlement.SERVICE_GUIDANCE: having(Grade.B, holder=True),
        Entitlement.RENEWAL_GUIDANCE: own_c,
    }
    return {kind: grounds for kind, grounds in rules.items() if grounds}


def entitlements(standings: Iterable[Standing]) -> Grounds:
    """The entitlements the standings allow, each with the final-graded standings it rests on."""
    standings = list(standings)
    final_view = [(s, s.final_grade) for s in standings if s.final_grade is not None]
    worst_view = []
    for s in standings:
        violation = s.pending_grade if s.pending_grade in VIOLATIONS else None
        grade = worst(s.final_grade, violation)
        if grade is not None:
            worst_view.append((s, grade))
    allowed = _entitled(worst_view)
    return {kind: grounds for kind, grounds in _entitled(final_view).items() if kind in allowed}
