"""Which grade a warning protects, which quarter it stands at, and what a subscriber hears."""

from __future__ import annotations

from decimal import Decimal as D

from evaluation.domain.grades import Grade
from evaluation.domain.monitoring import changes, current_warnings, fingerprint, grade_held, quarter_reached
from evaluation.domain.rulesets import load_seed_ruleset

EVEN = [(y, q, D(100_000_000), D(7_500_000)) for y in (2024, 2025) for q in (1, 2, 3, 4)]


def test_the_grade_held_is_this_years_a_or_else_the_latest_earlier_grade() -> None:
    assert grade_held({2025: "A", 2026: "B"}, 2026) is Grade.A  # early in a year the year-to-date is B
    assert grade_held({2025: "B", 2026: "A"}, 2026) is Grade.A
    assert grade_held({2024: "A", 2025: "C", 2026: "B"}, 2026) is Grade.C
    assert grade_held({2026: "B"}, 2026) is Grade.B
    assert grade_held({}, 2026) is None


def test_the_quarter_reached_is_the_last_with_a_filing_of_the_year() -> None:
    rows = [(2026, 1, D(1), D(1)), (2026, 3, D(0), D(0)), (2025, 4, D(1), D(1))]
    assert quarter_reached(rows, 2026) == 3
    assert quarter_reached(rows, 2027) is None


def test_a_parcel_behind_its_own_pattern_is_warned_once_per_measure_short() -> None:
    now = [(2026, 1, D(50_000_000), D(2_500_000)), (2026, 2, D(50_000_000), D(2_500_000))]
    found = current_warnings("P-1", 2026, D(10_000), {2025: "A"}, EVEN + now, [], load_seed_ruleset())
    assert [(w.measure, w.point_per_ha) for w in found] == [("output_per_ha", D("200000000.00")),
                                                            ("tax_per_ha", D("10000000.00"))]
    assert all(w.pattern.years == (2024, 2025) for w in found)


def test_nothing_is_projected_without_a_grade_a_filing_or_an_area() -> None:
    now = [(2026, 2, D(1), D(1))]
    ruleset = load_seed_ruleset()
    assert current_warnings("P-1", 2026, D(10_000), {}, EVEN + now, [], ruleset) == []
    assert current_warnings("P-1", 2026, D(10_000), {2025: "A"}, EVEN, [], ruleset) == []
    assert current_warnings("P-1", 2026, D(0), {2025: "A"}, EVEN + now, [], ruleset) == []
    assert current_warnings("P-1", 2026, D(10_000), {2025: "B"}, EVEN + now, [], ruleset) == []


def test_changes_say_raised_changed_and_withdrawn() -> None:
    behind = [(2026, 1, D(50_000_000), D(7_500_000)), (2026, 2, D(50_000_000), D(7_500_000))]
    ruleset = load_seed_ruleset()
    [first] = current_warnings("P-1", 2026, D(10_000), {2025: "A"}, EVEN + behind, [], ruleset)
    assert [(c.measure, c.kind) for c in changes({}, [first])] == [("output_per_ha", "raised")]
    assert changes({"output_per_ha": fingerprint(first)}, [first]) == []
    further = [(2026, 1, D(50_000_000), D(7_500_000)), (2026, 2, D(40_000_000), D(7_500_000))]
    [second] = current_warnings("P-1", 2026, D(10_000), {2025: "A"}, EVEN + further, [], ruleset)
    assert [c.kind for c in changes({"output_per_ha": fingerprint(first)}, [second])] == ["changed"]
    gone = changes({"output_per_ha": fingerprint(first)}, [])
    assert [(c.measure, c.kind, c.warning) for c in gone] == [("output_per_ha", "withdrawn", None)]
