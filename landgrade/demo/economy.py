"""A parcel's output and tax over the years and quarters: a level per hectare that drifts from
year to year (so parcels cross the A thresholds both ways), a quarterly pattern of its own
around E-Town's (Q4 heaviest: year-end deliveries and settlements), and some years in which a
parcel declines (or recovers) quarter by quarter, the case the in-year warnings exist for.

Amounts are CNY; the yearly figures of a parcel are the sum of its quarters, exactly as filed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

# E-Town-wide share of a year's output reached in each quarter.
ETOWN_SEASON = (0.21, 0.24, 0.25, 0.30)
# How some industries differ from it (added to the shares, which are then renormalised).
INDUSTRY_TILT: dict[str, tuple[float, float, float, float]] = {
    "生物医药": (0.02, 0.01, -0.01, -0.02), "医药科技": (0.02, 0.01, -0.01, -0.02),
    "新能源汽车": (-0.03, -0.01, 0.0, 0.04), "汽车零部件": (-0.02, -0.01, 0.0, 0.03),
    "集成电路": (0.0, 0.01, 0.01, -0.02), "半导体设备": (-0.02, 0.0, 0.0, 0.02),
}
# A year in which the parcel declines, or recovers, quarter by quarter (relative to its level).
DECLINE = (1.0, 0.82, 0.62, 0.48)
RECOVERY = (0.8, 0.95, 1.1, 1.25)
CENT = Decimal("0.01")
# The seed ruleset's A thresholds (etown-2024-draft), CNY per hectare: the spread of levels is
# drawn around them so that every grade occurs.
SEED_A_OUTPUT_PER_HA = 3.0e8
SEED_A_TAX_PER_HA = 2.0e7


@dataclass(frozen=True)
class Trend:
    """The within-year course of one parcel-year."""

    kind: str  # "steady" | "declining" | "recovering"
    factors: tuple[float, float, float, float]


STEADY = Trend("steady", (1.0, 1.0, 1.0, 1.0))


def season(rng: random.Random, industry: str) -> tuple[float, float, float, float]:
    """The parcel's own quarterly pattern: E-Town's, tilted by its industry, with a little of its own."""
    tilt = INDUSTRY_TILT.get(industry, (0.0, 0.0, 0.0, 0.0))
    raw = [max(0.05, base + t + rng.gauss(0, 0.015)) for base, t in zip(ETOWN_SEASON, tilt, strict=True)]
    total = sum(raw)
    q1, q2, q3, q4 = (r / total for r in raw)
    return q1, q2, q3, q4


@dataclass(frozen=True)
class Level:
    """Output per hectare and the tax it yields (tax = output x ratio), CNY."""

    output_per_ha: float
    tax_ratio: float

    @property
    def tax_per_ha(self) -> float:
        return self.output_per_ha * self.tax_ratio

    @property
    def looks_like_a(self) -> bool:
        """At the seed ruleset's A thresholds. Only shapes the data (which parcels decline more
        often); the grade is always the evaluation service's, from its ruleset."""
        return self.output_per_ha >= SEED_A_OUTPUT_PER_HA and self.tax_per_ha >= SEED_A_TAX_PER_HA

    def drift(self, rng: random.Random) -> Level:
        """Next year's level: output drifts (E-Town grows a few percent a year), the tax ratio a little."""
        output = self.output_per_ha * math.exp(rng.gauss(0.03, 0.16))
        ratio = min(0.2, max(0.02, self.tax_ratio * math.exp(rng.gauss(0, 0.06))))
        return Level(min(2.0e9, max(1.0e7, output)), ratio)


def first_level(rng: random.Random) -> Level:
    """Spread so that about a fifth of ordinary parcels meet both A thresholds (3亿 and 2000万 per
    hectare) in a year, and a few are far below (half-empty or winding-down plants)."""
    output = math.exp(rng.gauss(math.log(1.9e8), 0.6))
    ratio = math.exp(rng.gauss(math.log(0.072), 0.28))
    return Level(min(2.0e9, max(1.0e7, output)), min(0.2, max(0.02, ratio)))


def trend(rng: random.Random, meets_a: bool) -> Trend:
    """Parcels at A decline within a year more often than others: the warnings' positives."""
    draw = rng.random()
    if draw < (0.14 if meets_a else 0.04):
        return Trend("declining", DECLINE)
    if draw > 0.96:
        return Trend("recovering", RECOVERY)
    return STEADY


def after(level: Level, course: Trend) -> Level:
    """A decline or recovery carries over into the next year's level (from the year's last quarter)."""
    if course.kind == "steady":
        return level
    carried = (1 + course.factors[3]) / 2
    return Level(level.output_per_ha * carried, level.tax_ratio)


def quarters(rng: random.Random, level: Level, hectares: float, pattern: tuple[float, float, float, float],
             course: Trend) -> list[tuple[Decimal, Decimal]]:
    """The four quarters' (output, tax) of one year, CNY to the fen."""
    out = []
    for share, factor in zip(pattern, course.factors, strict=True):
        noise = math.exp(rng.gauss(0, 0.04))
        output = level.output_per_ha * hectares * share * factor * noise
        tax = output * level.tax_ratio * math.exp(rng.gauss(0, 0.03))
        out.append((fen(output), fen(tax)))
    return out


def fen(amount: float) -> Decimal:
    """CNY rounded to the fen, with exactly two decimal places."""
    return Decimal(round(amount * 100)).scaleb(-2)
