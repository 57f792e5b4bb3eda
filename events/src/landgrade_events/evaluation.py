"""Published by evaluation on `landgrade.evaluation.grades.v1`; the city's credit platform
subscribes to it. Nothing personal is in it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from servicekit.events import EventData

GRADES = "landgrade.evaluation.grades.v1"
Grade = Literal["A", "B", "C", "D"]


class Reason(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    clause: str
    code: str
    text_zh: str
    text_en: str
    grade: Grade | None = None  # the grade this reason points to; None when only informative
    setting: str | None = None  # the ruleset setting it relied on, e.g. "gaps.no_filing_grade = B"


class Metrics(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    area_ha: Decimal
    output_value: Decimal
    tax_paid: Decimal
    output_per_ha: Decimal
    tax_per_ha: Decimal


class ParcelGraded(EventData):
    TYPE: ClassVar[str] = "landgrade.evaluation.parcel_graded.v1"
    TOPIC: ClassVar[str] = GRADES
    evaluation_id: str
    parcel_id: str
    holder_uscc: str
    street: str
    year: int
    grade: Grade
    previous_grade: Grade | None = None
    status: Literal["provisional", "final"]
    reasons: list[Reason]
    flags: list[str] = []
    review_case_needed: bool = False  # gap 6: a contract breach asks for a review case
    metrics: Metrics
    ruleset_id: str
    triggering_event_id: str | None = None
    run_id: str | None = None
    evaluated_at: datetime

    def key(self) -> str:
        return self.parcel_id
