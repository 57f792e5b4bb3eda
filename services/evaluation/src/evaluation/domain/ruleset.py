"""A ruleset is versioned data: thresholds, the settings for the draft's gaps, and clause texts.

The E-Town measures are a draft for comments, so nothing here is a constant of the code: every
threshold and every choice the draft leaves open is a named setting that explanations quote.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from evaluation.domain.grades import Grade


class RulesetError(ValueError):
    """A ruleset document that cannot be used; `field` names the offending setting."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CommitmentRule(StrEnum):
    """When an urban-renewal park counts as having met its economic commitment."""

    BOTH = "both"  # committed output and committed tax both reached
    EITHER = "either"
    OUTPUT_ONLY = "output_only"
    TAX_ONLY = "tax_only"


class OutputAggregation(StrEnum):
    """Gap 4: whose output and tax count for a parcel."""

    SUM_HOLDER_AND_APPROVED_TENANTS = "sum_holder_and_approved_tenants"
    HOLDER_ONLY = "holder_only"


class UnattributedFiling(StrEnum):
    """Gap 4: where a filing that names no parcel goes."""

    ONLY_PARCEL_ELSE_SPLIT_BY_AREA = "only_parcel_else_split_by_area"
    ONLY_PARCEL_ELSE_IGNORE = "only_parcel_else_ignore"


class YearHolder(StrEnum):
    """Who answers for a year in which the land-use right changed hands (转让): the grade, its
    credit records and its benefits go to one holder per parcel and year."""

    LAST_DAY = "holder_on_last_day"  # the holder on the year's last day (or the parcel's last day in it)
    FIRST_DAY = "holder_on_first_day"  # the holder on the year's first day (or the parcel's first day in it)
    LONGEST_HELD = "longest_held"  # the holder of the most days of the year; a tie goes to the later one


@dataclass(frozen=True)
class Thresholds:
    """A-grade thresholds for self-use projects and approved parks, CNY per hectare."""

    output_per_ha: Decimal
    tax_per_ha: Decimal


@dataclass(frozen=True)
class GapSettings:
    """The six gaps of the draft, each an explicit choice (numbers as in the ruleset docs)."""

    lease_guidance_pending_grade: Grade = Grade.C  # 1: attitude not yet known
    equity_linked_refusal_grade: Grade = Grade.C  # 2: D text requires "no equity link"
    no_filing_grade: Grade = Grade.B  # 3: output and tax count as 0
    parcel_output_aggregation: OutputAggregation = OutputAggregation.SUM_HOLDER_AND_APPROVED_TENANTS  # 4
    unattributed_filing: UnattributedFiling = UnattributedFiling.ONLY_PARCEL_ELSE_SPLIT_BY_AREA  # 4
    renewal_without_commitment_grade: Grade = Grade.B  # 5
    contract_breach_grade: Grade = Grade.B  # 6
    contract_breach_opens_review_case: bool = True  # 6


@dataclass(frozen=True)
class OutlookSettings:
    """Ruleset settings of the outlook (动态监测; named in every warning's text where they matter)."""

    warn_from_quarter: int = 2  # no warning from Q1 alone unless set to 1
    min_history_years: int = 2  # own pattern needs this many earlier years with a total
    min_share: Decimal = Decimal("0.05")  # shares below this are left out of a pattern
    range_widening: Decimal = Decimal(0)  # each end of the range moved out by this fraction


@dataclass(frozen=True)
class UnnamedViolations:
    """Violations the grade table does not name; they block A/B, their measure is enforcement."""

    non_industrial_use: Grade = Grade.D  # 不按工业用途使用
    illegal_construction: Grade = Grade.D  # 违法违规建设


@dataclass(frozen=True)
class Clause:
    zh: str
    en: str


@dataclass(frozen=True)
class Ruleset:
    id: str
    name: str
    effective_from: date
    thresholds: Thresholds
    effective_to: date | None = None
    description: str = ""
    gaps: GapSettings = field(default_factory=GapSettings)
    renewal_commitment_rule: CommitmentRule = CommitmentRule.BOTH
    equity_link_search_depth: int = 3
    year_holder: YearHolder = YearHolder.LAST_DAY
    # The objection window (公示期) in working days on China's official calendar: the default one,
    # and the least a publication may give (the draft's "about five working days").
    objection_window_days: int = 5
    objection_window_min_days: int = 5
    unnamed_violations: UnnamedViolations = field(default_factory=UnnamedViolations)
    outlook: OutlookSettings = field(default_factory=OutlookSettings)
    clauses: dict[str, Clause] = field(default_factory=dict)

    def setting(self, name: str) -> str:
        """'gaps.no_filing_grade = B' — how an explanation names a setting it relied on."""
        value: Any = self
        for part in name.split("."):
            value = getattr(value, part)
        if isinstance(value, bool):
            value = str(value).lower()
        return f"{name} = {value}"

    def covers_year(self, year: int) -> bool:
        """True when the ruleset is in force for some day of the evaluated year."""
        if self.effective_from > date(year, 12, 31):
            return False
        return self.effective_to is None or self.effective_to >= date(year, 1, 1)

    def covered_years(self, until: int) -> range:
        """The years this ruleset is in force for, an open end counted up to `until`."""
        last = self.effective_to.year if self.effective_to else until
        return range(self.effective_from.year, last + 1)

    def renamed(self, ruleset_id: str, name: str) -> Ruleset:
        return replace(self, id=ruleset_id, name=name)


def covered_years(rulesets: list[Ruleset], until: int) -> list[int]:
    """Every year some ruleset is in force for (open ends counted up to `until`)."""
    return sorted({year for r in rulesets for year in r.covered_years(until)})


def select_ruleset(rulesets: list[Ruleset], year: int) -> Ruleset | None:
    """The ruleset in force for a year: of those covering it, the one that took effect last."""
    covering = [r for r in rulesets if r.covers_year(year)]
    return max(covering, key=lambda r: (r.effective_from, r.id)) if covering else None

