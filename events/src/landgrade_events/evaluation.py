"""Published by evaluation on `landgrade.evaluation.grades.v1` and, for whole-year writes, on
`landgrade.evaluation.grades.bulk.v1`; the city's credit platform subscribes to both. Nothing
personal is in it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from servicekit.events import EventData

GRADES = "landgrade.evaluation.grades.v1"
# The bulk lane of grade events: what a yearly run, a year's publication or a final year's
# re-evaluation writes, one event per parcel. Read apart from `GRADES`, so a live grading never waits
# for a year's backlog. A parcel's order across the two lanes is kept by re-sending its bulk event on
# the live lane (same id) before a live event that follows it; subscribers apply an id once.
GRADES_BULK = "landgrade.evaluation.grades.bulk.v1"
# Dynamic monitoring (动态监测): projections of the current year, never grades nor credit facts.
WARNINGS = "landgrade.evaluation.warnings.v1"
Grade = Literal["A", "B", "C", "D"]


_OLD_NAME = "Deprecated: the same value as `{}`, the name the REST API uses; kept for v1 consumers."


class Reason(BaseModel):
    """One step of a grade's explanation. `clause_id`, `zh` and `en` are the names the REST API uses;
    `clause`, `text_zh` and `text_en` carry the same values under their first names (deprecated)."""
    model_config = ConfigDict(extra="ignore", frozen=True)
    clause: str = Field(description=_OLD_NAME.format("clause_id"), json_schema_extra={"deprecated": True})
    code: str
    text_zh: str = Field(description=_OLD_NAME.format("zh"), json_schema_extra={"deprecated": True})
    text_en: str = Field(description=_OLD_NAME.format("en"), json_schema_extra={"deprecated": True})
    grade: Grade | None = None  # the grade this reason points to; None when only informative
    setting: str | None = None  # the ruleset setting it relied on, e.g. "gaps.no_filing_grade = B"
    clause_id: str | None = None  # the clause the reason rests on (absent from events sent before it)
    zh: str | None = None  # the reason in Chinese
    en: str | None = None  # the reason in English


class Metrics(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    area_ha: Decimal
    output_value: Decimal
    tax_paid: Decimal
    output_per_ha: Decimal
    tax_per_ha: Decimal


class Correction(BaseModel):
    """A final grade re-made by re-evaluation of its year (重新评价): what it replaces, and why."""
    model_config = ConfigDict(extra="ignore", frozen=True)
    re_evaluation_id: str
    replaces_evaluation_id: str | None = None  # None: the parcel had no grade for the year
    replaces_grade: Grade | None = None
    reason: str


class ParcelGraded(EventData):
    TYPE: ClassVar[str] = "landgrade.evaluation.parcel_graded.v1"
    TOPIC: ClassVar[str] = GRADES
    BULK_TOPIC: ClassVar[str | None] = GRADES_BULK
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
    # Set only when this grade corrects a final one (re-evaluation of a final year): consumers
    # replace the final grade it names instead of taking it for an ordinary provisional change.
    correction: Correction | None = None

    def key(self) -> str:
        return self.parcel_id


class YearPublished(EventData):
    """A year's grades published (公示): objections are taken until `objection_last_day` (Beijing,
    counted in working days on the official calendar); the window closes at `objection_deadline`.
    The grades themselves were announced as `parcel_graded` events; the credit ledger tells each
    holder of its parcels' grades and the closing day. Subscribers that only follow grades skip
    this type, as they skip any type they do not know."""
    TYPE: ClassVar[str] = "landgrade.evaluation.year_published.v1"
    TOPIC: ClassVar[str] = GRADES
    # Sent by the bulk lane, behind the year's grades in evaluation's outbox.
    BULK_TOPIC: ClassVar[str | None] = GRADES_BULK
    run_id: str
    year: int
    ruleset_id: str
    published_at: datetime
    objection_window_days: int = Field(ge=1)
    objection_last_day: date
    objection_deadline: datetime

    def key(self) -> str:
        return f"year-{self.year}"


class WarningChanged(EventData):
    """Dynamic monitoring (动态监测): a parcel's early warning for the current year was raised,
    changed or withdrawn after a filing.

    A warning is a PROJECTION of the year from its filings so far, not a grade and not a credit
    fact: it changes no grade, and the credit ledger never turns it into a record. Amounts are CNY
    per hectare; `pattern_source` says whose quarterly pattern the projection used (`own`,
    `category` or `pro_rata`) and `pattern_years` which years. A withdrawal carries the parcel,
    year and measure only (the warning no longer holds).
    """
    TYPE: ClassVar[str] = "landgrade.evaluation.warning_changed.v1"
    TOPIC: ClassVar[str] = WARNINGS
    parcel_id: str
    street: str
    year: int
    measure: Literal["output_per_ha", "tax_per_ha"]
    change: Literal["raised", "changed", "withdrawn"]
    nature: Literal["projection"] = "projection"  # never a grade, never a credit record
    quarter: int | None = None  # the last quarter with a filing that the projection is based on
    at_risk_of: Grade | None = None
    projected_low_per_ha: Decimal | None = None
    projected_per_ha: Decimal | None = None
    projected_high_per_ha: Decimal | None = None
    threshold_per_ha: Decimal | None = None
    pattern_source: Literal["own", "category", "pro_rata"] | None = None
    pattern_years: list[int] = []
    zh: str | None = None
    en: str | None = None
    triggering_event_id: str | None = None
    changed_at: datetime

    def key(self) -> str:
        return self.parcel_id
