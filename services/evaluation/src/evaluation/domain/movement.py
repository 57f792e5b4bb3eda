"""A year's grades at a glance: counts by grade and street, and how parcels moved since the
year before (up, down, into D, newly A). Pure: the caller passes both years' current grades."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from evaluation.domain.grades import Grade

MOVES = ("up", "down", "same", "new", "into_d", "newly_a")


@dataclass(frozen=True)
class Graded:
    parcel_id: str
    street: str
    grade: str
    status: str


@dataclass
class YearSummary:
    year: int
    total: int = 0
    by_grade: dict[str, int] = field(default_factory=lambda: dict.fromkeys("ABCD", 0))
    by_status: dict[str, int] = field(default_factory=dict)
    by_street: dict[str, dict[str, int]] = field(default_factory=dict)
    movement: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVES, 0))
    movement_by_street: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "previous_year": self.year - 1, "total": self.total,
                "by_grade": self.by_grade, "by_status": dict(sorted(self.by_status.items())),
                "by_street": dict(sorted(self.by_street.items())), "movement": self.movement,
                "movement_by_street": dict(sorted(self.movement_by_street.items()))}


def moves(before: str | None, after: str) -> list[str]:
    """The movements one parcel counts in. Better is up (D to A is up); a parcel with no grade the
    year before is new, and counts as newly A when it is A now."""
    if before is None:
        return ["new"] + (["newly_a"] if after == Grade.A else [])
    old, new = Grade(before), Grade(after)
    if old is new:
        return ["same"]
    found = ["up" if new.severity < old.severity else "down"]
    if new is Grade.D:
        found.append("into_d")
    if new is Grade.A:
        found.append("newly_a")
    return found


def summarize(year: int, current: Iterable[Graded], previous: Mapping[str, str]) -> YearSummary:
    """`previous`: parcel id -> grade the year before."""
    summary = YearSummary(year)
    for g in current:
        summary.total += 1
        summary.by_grade[g.grade] += 1
        summary.by_status[g.status] = summary.by_status.get(g.status, 0) + 1
        summary.by_street.setdefault(g.street, dict.fromkeys("ABCD", 0))[g.grade] += 1
        street_moves = summary.movement_by_street.setdefault(g.street, dict.fromkeys(MOVES, 0))
        for move in moves(previous.get(g.parcel_id), g.grade):
            summary.movement[move] += 1
            street_moves[move] += 1
    return summary
