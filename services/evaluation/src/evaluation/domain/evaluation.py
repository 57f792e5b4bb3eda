"""The result of grading: a grade with its explanation (reasons, metrics, flags)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from evaluation.domain.grades import Grade


class Flag(StrEnum):
    """Marks an evaluation that relied on a ruleset setting, or needs a person's attention."""

    GUIDANCE_PENDING = "guidance_pending"  # gap 1
    EQUITY_LINKED_TENANT = "equity_linked_tenant"  # gap 2
    NO_FILING = "no_filing"  # gap 3
    OUTPUT_SUMMED = "output_summed"  # gap 4, several enterprises on the parcel
    FILING_SPLIT_BY_AREA = "filing_split_by_area"  # gap 4, filing named no parcel
    NO_COMMITMENT_ON_RECORD = "no_commitment_on_record"  # gap 5
    CONTRACT_BREACH = "contract_breach"  # gap 6
    VIOLATION_NOT_NAMED = "violation_not_named_in_grade_table"
    REVIEW_CASE_NEEDED = "review_case_needed"


@dataclass(frozen=True)
class Reason:
    """One step of the explanation: the clause it rests on and the numbers it compared."""

    code: str
    clause_id: str
    zh: str
    en: str
    grade: Grade | None = None  # the grade this reason points to; None when only informative
    setting: str | None = None  # "gaps.no_filing_grade = B" when a ruleset setting decided
    values: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "clause_id": self.clause_id,
            "zh": self.zh,
            "en": self.en,
            "grade": self.grade.value if self.grade else None,
            "setting": self.setting,
            "values": dict(self.values),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Reason:
        return cls(
            code=doc["code"],
            clause_id=doc["clause_id"],
            zh=doc["zh"],
            en=doc["en"],
            grade=Grade(doc["grade"]) if doc.get("grade") else None,
            setting=doc.get("setting"),
            values=dict(doc.get("values") or {}),
        )


@dataclass(frozen=True)
class Metrics:
    area_ha: Decimal
    output_value: Decimal
    tax_paid: Decimal
    output_per_ha: Decimal
    tax_per_ha: Decimal

    def to_dict(self) -> dict[str, str]:
        return dict(self._text)

    @cached_property
    def _text(self) -> dict[str, str]:
        # Formatted once: a yearly run needs them twice per parcel (its row and its event).
        # Spelled out: the generic loop over the dataclass fields costs several times as much.
        return {"area_ha": format(self.area_ha, "f"), "output_value": format(self.output_value, "f"),
                "tax_paid": format(self.tax_paid, "f"), "output_per_ha": format(self.output_per_ha, "f"),
                "tax_per_ha": format(self.tax_per_ha, "f")}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Metrics:
        return cls(**{k: Decimal(str(doc[k])) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Evaluation:
    parcel_id: str
    year: int
    grade: Grade
    reasons: tuple[Reason, ...]
    metrics: Metrics
    flags: tuple[Flag, ...]
    ruleset_id: str
    review_case_needed: bool = False

    @cached_property
    def fingerprint(self) -> str:
        """Changes exactly when the grade or its reasons change (what triggers a grade event)."""
        parts = [self.grade.value]
        for r in self.reasons:
            parts += [r.code, r.clause_id, r.zh, r.en, r.grade or "", r.setting or ""]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "parcel_id": self.parcel_id,
            "year": self.year,
            "grade": self.grade.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "metrics": self.metrics.to_dict(),
            "flags": [f.value for f in self.flags],
            "ruleset_id": self.ruleset_id,
            "review_case_needed": self.review_case_needed,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Evaluation:
        return cls(
            parcel_id=doc["parcel_id"],
            year=int(doc["year"]),
            grade=Grade(doc["grade"]),
            reasons=tuple(Reason.from_dict(r) for r in doc["reasons"]),
            metrics=Metrics.from_dict(doc["metrics"]),
            flags=tuple(Flag(f) for f in doc["flags"]),
            ruleset_id=doc["ruleset_id"],
            review_case_needed=bool(doc.get("review_case_needed", False)),
        )
