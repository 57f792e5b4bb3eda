"""The demo shows what the policy is about: every grade (D rare), parcels that move between
years, a seasonal year, parcels declining through the current year, dated from the clock."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from itertools import pairwise
from statistics import mean
from typing import Any

from evaluation.domain.ruleset import Thresholds
from evaluation.domain.rulesets import load_seed_ruleset
from landgrade.demo.dataset import generate
from servicekit.clock import FixedClock
from tests.demo.conftest import Demo

HECTARE = Decimal(10_000)


@cache
def _thresholds() -> Thresholds:
    return load_seed_ruleset().thresholds


def _economic_grade(parcel: dict[str, Any], output: Decimal, tax: Decimal) -> str:
    """A or B as the seed ruleset grades a parcel without violations."""
    if parcel["category"] == "renewal_park":
        committed = parcel["commitments"][0]
        met = output >= Decimal(committed["output_value"]) and tax >= Decimal(committed["tax"])
        return "A" if met else "B"
    thresholds = _thresholds()
    hectares = Decimal(parcel["area_m2"]) / HECTARE
    return "A" if output / hectares >= thresholds.output_per_ha and tax / hectares >= thresholds.tax_per_ha else "B"


def _linked(owners: dict[str, set[str]], holder: str, tenant: str) -> bool:
    """An equity link either way, or a common enterprise shareholder (sister companies)."""
    return holder in owners[tenant] or tenant in owners[holder] or bool(owners[holder] & owners[tenant])


def _violation_grades(demo: Demo) -> dict[str, str]:
    """C or D per parcel from the rows as they stand today: flags, and inspected unauthorised leases."""
    out = {p["parcel_id"]: "D" for p in demo.data.parcels if p.get("flags")}
    owners = {e["uscc"]: {s["uscc"] for s in e["shareholders"] if s["kind"] == "enterprise"}
              for e in demo.data.enterprises}
    for inspection in demo.data.inspections:
        parcel = demo.parcels[inspection["parcel_id"]]
        for finding in inspection["findings"]:
            refuses = finding["holder_attitude"] == "refuses_to_correct"
            unrelated = not _linked(owners, parcel["rights_holder"], finding["tenant_uscc"])
            out.setdefault(parcel["parcel_id"], "D" if refuses and unrelated else "C")
    return out


def _grades(demo: Demo, year: int) -> dict[str, str]:
    yearly, violations = demo.yearly(), _violation_grades(demo)
    return {pid: violations.get(pid) or _economic_grade(p, *yearly[(pid, year)]) for pid, p in demo.parcels.items()}


def test_all_four_grades_occur_and_d_is_rare(demo: Demo) -> None:
    counts = Counter(_grades(demo, demo.data.calendar.open_year).values())
    assert set(counts) == {"A", "B", "C", "D"}
    assert counts["B"] > counts["A"] > counts["C"] > counts["D"] >= 5
    assert counts["D"] / len(demo.parcels) <= 0.05
    assert 0.12 <= counts["A"] / len(demo.parcels) <= 0.35


def test_parcels_move_up_and_down_between_years(demo: Demo) -> None:
    yearly, history = demo.yearly(), demo.data.calendar.history
    moves: Counter[str] = Counter()
    for pid, parcel in demo.parcels.items():
        grades = [_economic_grade(parcel, *yearly[(pid, year)]) for year in history]
        moves.update(f"{a}{b}" for a, b in pairwise(grades) if a != b)
    assert moves["AB"] >= 10 and moves["BA"] >= 10


def test_violations_start_in_different_years(demo: Demo) -> None:
    since = Counter(int(flag["since"][:4]) for p in demo.data.parcels for flag in p.get("flags", []))
    assert len(since) >= 2  # parcels enter D in different years, not all at once


def test_years_come_from_the_clock() -> None:
    data = generate(60, seed=3, clock=FixedClock(datetime(2031, 5, 10, 9, 0)))
    assert {f["year"] for f in data.filings} == {2028, 2029, 2030, 2031}
    assert {f["quarter"] for f in data.filings if f["year"] == 2031} == {1}  # only Q1 has ended
    assert all(i["inspected_at"][:10] < "2031-05-10" for i in data.inspections)
    assert all(c["opened_on"] <= "2031-05-10" for c in data.cases)
    assert all(date.fromisoformat(f["since"]) < date(2031, 5, 10) for p in data.parcels for f in p.get("flags", []))


def test_full_years_have_a_seasonal_pattern_with_q4_heaviest(demo: Demo) -> None:
    quarterly, yearly = demo.quarterly(), demo.yearly()
    shares = {q: mean(float(quarterly[(pid, y, q)][0] / yearly[(pid, y)][0])
                      for pid in demo.parcels for y in demo.data.calendar.history) for q in (1, 2, 3, 4)}
    assert shares[4] > shares[3] > shares[1]
    assert shares[4] - shares[1] > 0.06
    parcel_q4 = [float(quarterly[(pid, y, 4)][0] / yearly[(pid, y)][0])
                 for pid in demo.parcels for y in demo.data.calendar.history]
    assert max(parcel_q4) - min(parcel_q4) > 0.05  # each parcel has a pattern of its own around E-Town's


def test_some_parcels_decline_through_the_current_year(demo: Demo) -> None:
    quarterly, year = demo.quarterly(), demo.data.calendar.current_year
    assert demo.data.calendar.quarters(year) == (1, 2, 3)
    # Q3 normally carries more than Q1; a decliner's Q3 falls well below its Q1.
    decliners = [pid for pid in demo.parcels
                 if quarterly[(pid, year, 3)][0] < Decimal("0.8") * quarterly[(pid, year, 1)][0]]
    assert len(decliners) >= 10
    at_a_last_year = [pid for pid in decliners if _economic_grade(
        demo.parcels[pid], *demo.yearly()[(pid, year - 1)]) == "A"]
    assert at_a_last_year  # the warnings' case: an A parcel heading for B
    past = [pid for pid in demo.parcels for y in demo.data.calendar.history
            if quarterly[(pid, y, 4)][0] < Decimal("0.7") * quarterly[(pid, y, 1)][0]]
    assert len(past) >= 10  # past years have decliners too, for the backtest
