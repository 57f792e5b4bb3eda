"""Dynamic monitoring (动态监测) of one parcel's current year, from its stored quarters: which
warnings hold now, and what changed since the last filing (raised, changed, withdrawn).

The grade a warning protects is the parcel's current one when that is A, else its latest grade of
an earlier year (early in a year the year-to-date grade is rarely A, yet the parcel still holds
last year's A). Pure: the caller loads the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from evaluation.domain.grades import Grade
from evaluation.domain.outlook import Measure, Warning, by_year, warnings_for
from evaluation.domain.ruleset import Ruleset

QuarterRow = tuple[int, int, Decimal, Decimal]  # year, quarter, output, tax


def grade_held(grades: Mapping[int, str], year: int) -> Grade | None:
    """The grade the outlook protects in `year` (see the module's note); None when never graded."""
    if grades.get(year) == Grade.A.value:
        return Grade.A
    earlier = [y for y in grades if y < year]
    if earlier:
        return Grade(grades[max(earlier)])
    return Grade(grades[year]) if year in grades else None


def quarter_reached(own: Iterable[QuarterRow], year: int) -> int | None:
    """The last quarter of `year` with a counted filing; None before the first."""
    quarters = [q for y, q, _, _ in own if y == year]
    return max(quarters) if quarters else None


def current_warnings(parcel_id: str, year: int, area_m2: Decimal, grades: Mapping[int, str],
                     own: list[QuarterRow], category: list[QuarterRow], ruleset: Ruleset) -> list[Warning]:
    quarter = quarter_reached(own, year)
    grade = grade_held(grades, year)
    if quarter is None or grade is None or area_m2 <= 0:
        return []
    this_year = [r for r in own if r[0] == year and r[1] <= quarter]
    earlier = [r for r in own if r[0] < year]
    measures = []
    for name, amount in (("output_per_ha", _output), ("tax_per_ha", _tax)):
        year_to_date = sum((amount(r) for r in this_year), Decimal(0))
        own_years = list(by_year((r[0], r[1], amount(r)) for r in earlier).values())
        category_years = list(by_year((r[0], r[1], amount(r)) for r in category if r[0] < year).values())
        measures.append(Measure(name, year_to_date, own_years, category_years))
    return warnings_for(parcel_id, year, quarter, area_m2, grade, measures, ruleset.thresholds, ruleset.outlook)


def _output(row: QuarterRow) -> Decimal:
    return row[2]


def _tax(row: QuarterRow) -> Decimal:
    return row[3]


@dataclass(frozen=True)
class Change:
    measure: str
    kind: str  # raised | changed | withdrawn
    warning: Warning | None  # None when withdrawn


def fingerprint(w: Warning) -> tuple[object, ...]:
    return (w.quarter, w.at_risk_of.value, w.low_per_ha, w.point_per_ha, w.high_per_ha, w.threshold_per_ha,
            w.pattern.source.value, list(w.pattern.years), w.zh)


def changes(before: Mapping[str, tuple[object, ...]], now: Iterable[Warning]) -> list[Change]:
    """What a subscriber must hear: `before` holds each stored warning's `fingerprint` by measure."""
    found = []
    current = {w.measure: w for w in now}
    for measure, w in sorted(current.items()):
        if measure not in before:
            found.append(Change(measure, "raised", w))
        elif before[measure] != fingerprint(w):
            found.append(Change(measure, "changed", w))
    found += [Change(m, "withdrawn", None) for m in sorted(before) if m not in current]
    return found
