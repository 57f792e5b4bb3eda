"""Dynamic monitoring (动态监测): where a parcel's year is heading, from its filings so far.

A year-to-date figure is not a year: after Q2 nearly every parcel is short of a per-hectare
threshold. The outlook divides what was filed by the share of a year's total that is usually
reached by the same quarter, and says whose pattern that share comes from:

- the parcel's own earlier years, when it has at least `min_history_years` of them;
- else the pattern of every parcel of its category in those years (E-Town-wide);
- else pro rata (q quarters of four), said as such.

The range comes from the spread of that share across the years it was taken from: the largest
share gives the lowest year, the smallest share the highest. A share below `min_share` (a year
whose early quarters were nearly empty) would blow the projection up and is left out.

An outlook is a projection, not a fact: it never grades and never becomes a credit record. It
warns when the projected year falls below a threshold that the parcel's grade meets now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from evaluation.domain.grades import Grade
from evaluation.domain.money import CENT, cny_zh, per_hectare
from evaluation.domain.ruleset import OutlookSettings, Thresholds

__all__ = ["OutlookSettings"]  # settings live on the ruleset; re-exported for the model's users

QUARTERS = 4


class PatternSource(StrEnum):
    OWN = "own"  # the parcel's own earlier years
    CATEGORY = "category"  # every parcel of its category, E-Town-wide
    PRO_RATA = "pro_rata"  # no usable history: q quarters of four


@dataclass(frozen=True)
class YearQuarters:
    """A parcel's (or a category's) filed amounts in one year, quarter by quarter (not cumulative)."""

    year: int
    amounts: tuple[Decimal, Decimal, Decimal, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal(0))

    def share_by(self, quarter: int) -> Decimal | None:
        """The share of the year's total reached by the end of `quarter`; None for an empty year."""
        total = self.total
        if total <= 0:
            return None
        return sum(self.amounts[:quarter], Decimal(0)) / total


@dataclass(frozen=True)
class Pattern:
    source: PatternSource
    years: tuple[int, ...]
    shares: tuple[Decimal, ...]  # share of the year's total by the quarter, one per year

    @property
    def mean(self) -> Decimal:
        return sum(self.shares, Decimal(0)) / len(self.shares)


def by_year(filings: Iterable[tuple[int, int | None, Decimal]]) -> dict[int, YearQuarters]:
    """(year, quarter, amount) filings as each year's quarters. A filing for the whole year
    (quarter None) says nothing about when in the year it was earned: it stays out of patterns."""
    sums: dict[int, list[Decimal]] = {}
    for year, quarter, amount in filings:
        if quarter is None:
            continue
        sums.setdefault(year, [Decimal(0)] * QUARTERS)[quarter - 1] += amount
    return {y: YearQuarters(y, (s[0], s[1], s[2], s[3])) for y, s in sorted(sums.items())}


def combined(histories: Iterable[YearQuarters]) -> list[YearQuarters]:
    """Many parcels' years summed per year (the category's pattern)."""
    by_year: dict[int, list[Decimal]] = {}
    for h in histories:
        sums = by_year.setdefault(h.year, [Decimal(0)] * QUARTERS)
        for i, amount in enumerate(h.amounts):
            sums[i] += amount
    return [YearQuarters(y, (s[0], s[1], s[2], s[3])) for y, s in sorted(by_year.items())]


def pattern_for(quarter: int, own: Sequence[YearQuarters], category: Sequence[YearQuarters],
                settings: OutlookSettings) -> Pattern:
    if not 1 <= quarter <= QUARTERS:
        raise ValueError(f"quarter must be 1..4, not {quarter}")
    for source, history in ((PatternSource.OWN, own), (PatternSource.CATEGORY, category)):
        usable = [(h.year, s) for h in sorted(history, key=lambda h: h.year)
                  if (s := h.share_by(quarter)) is not None and s >= settings.min_share]
        needed = settings.min_history_years if source is PatternSource.OWN else 1
        if len(usable) >= needed:
            return Pattern(source, tuple(y for y, _ in usable), tuple(s for _, s in usable))
    return Pattern(PatternSource.PRO_RATA, (), (Decimal(quarter) / QUARTERS,))


@dataclass(frozen=True)
class Projection:
    """A year's total projected from the year so far: the point and the range around it, CNY."""

    low: Decimal
    point: Decimal
    high: Decimal
    pattern: Pattern


def project(year_to_date: Decimal, pattern: Pattern, settings: OutlookSettings) -> Projection:
    widen = settings.range_widening
    return Projection(
        low=_cents(year_to_date / max(pattern.shares) * (1 - widen)),
        point=_cents(year_to_date / pattern.mean),
        high=_cents(year_to_date / min(pattern.shares) * (1 + widen)),
        pattern=pattern,
    )


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Measure:
    """One measure of a parcel's year so far (output or tax) and its history."""

    name: str  # "output_per_ha" | "tax_per_ha"
    year_to_date: Decimal
    own: Sequence[YearQuarters]
    category: Sequence[YearQuarters]


@dataclass(frozen=True)
class Warning:
    parcel_id: str
    year: int
    quarter: int
    at_risk_of: Grade
    measure: str
    low_per_ha: Decimal
    point_per_ha: Decimal
    high_per_ha: Decimal
    threshold_per_ha: Decimal
    pattern: Pattern
    zh: str
    en: str


_MEASURE_NAMES = {"output_per_ha": ("产值", "output"), "tax_per_ha": ("税收", "tax")}


def warnings_for(parcel_id: str, year: int, quarter: int, area_m2: Decimal, grade: Grade,
                 measures: Sequence[Measure], thresholds: Thresholds,
                 settings: OutlookSettings) -> list[Warning]:
    """A warning per measure whose projected year falls below a threshold the grade meets now.

    Only an A meets the per-hectare thresholds, so only an A can be at risk of B by them; a B, C
    or D parcel is not warned here (its grade does not rest on those thresholds).
    """
    if grade is not Grade.A or quarter < settings.warn_from_quarter or quarter >= QUARTERS:
        return []
    found = []
    for m in measures:
        threshold = {"output_per_ha": thresholds.output_per_ha, "tax_per_ha": thresholds.tax_per_ha}[m.name]
        projection = project(m.year_to_date, pattern_for(quarter, m.own, m.category, settings), settings)
        point = per_hectare(projection.point, area_m2)
        if point >= threshold:
            continue
        low, high = per_hectare(projection.low, area_m2), per_hectare(projection.high, area_m2)
        zh_name, en_name = _MEASURE_NAMES[m.name]
        basis_zh, basis_en = _basis(projection.pattern, quarter)
        found.append(Warning(
            parcel_id=parcel_id, year=year, quarter=quarter, at_risk_of=Grade.B, measure=m.name,
            low_per_ha=low, point_per_ha=point, high_per_ha=high, threshold_per_ha=threshold,
            pattern=projection.pattern,
            zh=f"有降为B类的风险：预计全年地均{zh_name} {cny_zh(point)}/公顷（{cny_zh(low)}–{cny_zh(high)}），"
               f"低于 {cny_zh(threshold)}/公顷；{basis_zh}",
            en=f"at risk of B: projected {en_name} {_yi(point)}/ha ({_yi(low)}–{_yi(high)}) "
               f"against {_yi(threshold)}/ha; {basis_en}",
        ))
    return found


def _yi(amount: Decimal) -> str:
    return f"{(amount / Decimal(100_000_000)).quantize(CENT, rounding=ROUND_DOWN)} 亿元"


def _basis(pattern: Pattern, quarter: int) -> tuple[str, str]:
    quarters = f"Q1–Q{quarter}" if quarter > 1 else "Q1"
    if pattern.source is PatternSource.PRO_RATA:
        return (f"依据{quarters}申报按季度平均推算（无历史规律可用）",
                f"based on {quarters} pro rata (no earlier pattern to use)")
    span = f"{pattern.years[0]}–{pattern.years[-1]}" if len(pattern.years) > 1 else str(pattern.years[0])
    whose_zh = "本地块" if pattern.source is PatternSource.OWN else "同类用地（全区）"
    whose_en = "the parcel's own" if pattern.source is PatternSource.OWN else "its category's E-Town-wide"
    return (f"依据{quarters}申报及{whose_zh}{span}年的季度规律",
            f"based on {quarters} and {whose_en} pattern of {span}")
