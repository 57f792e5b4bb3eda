"""The outlook judged like a model: replay a past year as it stood at the end of a quarter.

For every parcel that held A the year before, "will lose A" is predicted from the filings of
quarters 1..q only and compared with the year's final grade. The outlook must beat two naive
baselines: year-to-date pro rata (q quarters of four) and last year's grade (nobody moves).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from evaluation.domain.grades import Grade
from evaluation.domain.money import per_hectare
from evaluation.domain.outlook import (
    QUARTERS,
    Measure,
    OutlookSettings,
    YearQuarters,
    combined,
    warnings_for,
)
from evaluation.domain.ruleset import Thresholds


@dataclass(frozen=True)
class Case:
    """One parcel in the replayed year: its history, that year's quarters, and the outcome."""

    parcel_id: str
    category: str
    area_m2: Decimal
    grade_before: Grade  # last year's final grade
    final_grade: Grade  # the replayed year's final grade
    output: YearQuarters  # the replayed year, quarter by quarter
    tax: YearQuarters
    output_history: Sequence[YearQuarters] = ()
    tax_history: Sequence[YearQuarters] = ()


@dataclass(frozen=True)
class Score:
    predicted: int
    true_positives: int
    actual: int

    @property
    def precision(self) -> Decimal | None:
        return Decimal(self.true_positives) / self.predicted if self.predicted else None

    @property
    def recall(self) -> Decimal | None:
        return Decimal(self.true_positives) / self.actual if self.actual else None

    @property
    def f1(self) -> Decimal | None:
        """The harmonic mean of precision and recall; None while either is undefined."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else Decimal(0)


@dataclass(frozen=True)
class Backtest:
    quarter: int
    parcels: int  # parcels that held A the year before
    outlook: Score
    pro_rata: Score
    last_year: Score


def backtest(cases: Sequence[Case], quarter: int, thresholds: Thresholds,
             settings: OutlookSettings) -> Backtest:
    if not 1 <= quarter < QUARTERS:
        raise ValueError(f"a backtest replays the end of Q1, Q2 or Q3, not Q{quarter}")
    settings = replace(settings, warn_from_quarter=1)  # judged at every quarter it is asked about
    categories_output: dict[str, list[YearQuarters]] = defaultdict(list)
    categories_tax: dict[str, list[YearQuarters]] = defaultdict(list)
    for c in cases:
        categories_output[c.category].extend(c.output_history)
        categories_tax[c.category].extend(c.tax_history)
    category_output = {k: combined(v) for k, v in categories_output.items()}
    category_tax = {k: combined(v) for k, v in categories_tax.items()}

    held_a = [c for c in cases if c.grade_before is Grade.A]
    lost = {c.parcel_id for c in held_a if c.final_grade is not Grade.A}
    outlook, pro_rata = set(), set()
    for c in held_a:
        output_ytd = sum(c.output.amounts[:quarter], Decimal(0))
        tax_ytd = sum(c.tax.amounts[:quarter], Decimal(0))
        measures = [Measure("output_per_ha", output_ytd, c.output_history, category_output[c.category]),
                    Measure("tax_per_ha", tax_ytd, c.tax_history, category_tax[c.category])]
        if warnings_for(c.parcel_id, c.output.year, quarter, c.area_m2, Grade.A, measures, thresholds, settings):
            outlook.add(c.parcel_id)
        scale = Decimal(QUARTERS) / quarter
        if (per_hectare(output_ytd * scale, c.area_m2) < thresholds.output_per_ha
                or per_hectare(tax_ytd * scale, c.area_m2) < thresholds.tax_per_ha):
            pro_rata.add(c.parcel_id)

    def score(predicted: set[str]) -> Score:
        return Score(len(predicted), len(predicted & lost), len(lost))

    return Backtest(quarter, len(held_a), score(outlook), score(pro_rata), score(set()))
