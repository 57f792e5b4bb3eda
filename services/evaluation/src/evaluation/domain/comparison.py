"""What-if: grade the same facts under two rulesets and show who would move between grades."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evaluation.domain.facts import ParcelFacts
from evaluation.domain.grades import GRADES, Grade
from evaluation.domain.grading import grade
from evaluation.domain.ruleset import Ruleset


@dataclass(frozen=True)
class Move:
    parcel_id: str
    holder_uscc: str
    street: str
    year: int
    before: Grade
    after: Grade
    reasons_zh: tuple[str, ...]  # why the parcel has its new grade
    reasons_en: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "parcel_id": self.parcel_id, "holder_uscc": self.holder_uscc, "street": self.street,
            "year": self.year, "before": self.before.value, "after": self.after.value,
            "reasons_zh": list(self.reasons_zh), "reasons_en": list(self.reasons_en),
        }


@dataclass(frozen=True)
class Comparison:
    before_ruleset_id: str
    after_ruleset_id: str
    parcels: int
    matrix: dict[Grade, dict[Grade, int]]  # matrix[before][after] = parcels
    moved: tuple[Move, ...]

    def count(self, grade_of: str) -> dict[Grade, int]:
        """Parcels per grade 'before' or 'after'."""
        if grade_of == "before":
            return {g: sum(self.matrix[g].values()) for g in GRADES}
        return {g: sum(self.matrix[b][g] for b in GRADES) for g in GRADES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "before_ruleset_id": self.before_ruleset_id,
            "after_ruleset_id": self.after_ruleset_id,
            "parcels": self.parcels,
            "moved_count": len(self.moved),
            "matrix": {b.value: {a.value: n for a, n in row.items()} for b, row in self.matrix.items()},
            "before": {g.value: n for g, n in self.count("before").items()},
            "after": {g.value: n for g, n in self.count("after").items()},
            "moved": [m.to_dict() for m in self.moved],
        }


def compare(facts: Iterable[ParcelFacts], before: Ruleset, after: Ruleset) -> Comparison:
    return compare_each(((f, f) for f in facts), before, after)


def compare_each(facts: Iterable[tuple[ParcelFacts, ParcelFacts]], before: Ruleset, after: Ruleset) -> Comparison:
    """Like compare, where a setting (the equity-link depth) makes the facts differ per ruleset."""
    matrix = {b: dict.fromkeys(GRADES, 0) for b in GRADES}
    moved: list[Move] = []
    total = 0
    for parcel, parcel_after in facts:
        total += 1
        old, new = grade(parcel, before), grade(parcel_after, after)
        matrix[old.grade][new.grade] += 1
        if old.grade is not new.grade:
            moved.append(Move(
                parcel_id=parcel.parcel_id, holder_uscc=parcel.holder_uscc, street=parcel.street,
                year=parcel.year, before=old.grade, after=new.grade,
                reasons_zh=tuple(r.zh for r in new.reasons),
                reasons_en=tuple(r.en for r in new.reasons),
            ))
    moved.sort(key=lambda m: m.parcel_id)
    return Comparison(before.id, after.id, total, matrix, tuple(moved))
