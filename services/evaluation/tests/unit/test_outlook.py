"""The outlook (动态监测) as tables: whose pattern it uses, the range it gives, and when it warns."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.domain.backtest import Case, backtest
from evaluation.domain.grades import Grade
from evaluation.domain.outlook import (
    Measure,
    OutlookSettings,
    PatternSource,
    YearQuarters,
    by_year,
    combined,
    pattern_for,
    project,
    warnings_for,
)
from evaluation.domain.ruleset import Thresholds

SETTINGS = OutlookSettings()
THRESHOLDS = Thresholds(output_per_ha=D(300_000_000), tax_per_ha=D(10_000_000))
HECTARE = D(10_000)


def yq(year: int, *amounts: int) -> YearQuarters:
    a = tuple(D(x) for x in amounts)
    return YearQuarters(year, (a[0], a[1], a[2], a[3]))


# Q4 is heavy: by the end of Q2 a third of the year is in.
SEASONAL = [yq(2022, 10, 20, 30, 40), yq(2023, 10, 20, 30, 40), yq(2024, 15, 15, 30, 40)]


@pytest.mark.parametrize(("own", "category", "source", "years"), [
    (SEASONAL, [], PatternSource.OWN, (2022, 2023, 2024)),
    (SEASONAL[:1], SEASONAL, PatternSource.CATEGORY, (2022, 2023, 2024)),  # one own year is not enough
    ([], SEASONAL, PatternSource.CATEGORY, (2022, 2023, 2024)),  # no history of its own
    ([], [], PatternSource.PRO_RATA, ()),  # nothing at all
    ([yq(2023, 0, 0, 0, 0), yq(2024, 0, 0, 0, 0)], [], PatternSource.PRO_RATA, ()),  # empty years count for nothing
])
def test_the_pattern_comes_from_the_parcel_then_its_category_then_pro_rata(own, category, source, years) -> None:
    pattern = pattern_for(2, own, category, SETTINGS)
    assert pattern.source is source and pattern.years == years


def test_a_year_whose_early_quarters_were_empty_is_left_out_of_the_pattern() -> None:
    zero_first_half = [yq(2022, 0, 0, 50, 50), yq(2023, 10, 20, 30, 40), yq(2024, 10, 20, 30, 40)]
    pattern = pattern_for(2, zero_first_half, [], SETTINGS)
    assert pattern.years == (2023, 2024)  # 2022's share by Q2 is 0: it would make the year infinite
    assert project(D(30), pattern, SETTINGS).point == D(100)


def test_the_range_spans_the_spread_of_the_share_across_years() -> None:
    pattern = pattern_for(2, SEASONAL, [], SETTINGS)  # shares by Q2: 0.3, 0.3, 0.3 ... and 0.3
    uneven = pattern_for(1, SEASONAL, [], SETTINGS)  # shares by Q1: 0.10, 0.10, 0.15
    p = project(D(15), uneven, SETTINGS)
    assert (p.low, p.high) == (D(100), D(150))
    assert p.low < p.point < p.high
    flat = project(D(30), pattern, SETTINGS)
    assert flat.low == flat.point == flat.high == D(100)


def test_widening_moves_both_ends_out() -> None:
    p = project(D(30), pattern_for(2, SEASONAL, [], SETTINGS), OutlookSettings(range_widening=D("0.1")))
    assert (p.low, p.point, p.high) == (D(90), D(100), D(110))


def test_pro_rata_when_there_is_no_pattern() -> None:
    p = project(D(75), pattern_for(3, [], [], SETTINGS), SETTINGS)
    assert p.point == D(100) and p.pattern.source is PatternSource.PRO_RATA


def _warn(quarter: int, output_ytd: D, tax_ytd: D, grade: Grade = Grade.A,
          own: list[YearQuarters] | None = None, settings: OutlookSettings = SETTINGS):
    history = SEASONAL if own is None else own
    return warnings_for("P-1", 2025, quarter, HECTARE, grade,
                        [Measure("output_per_ha", output_ytd, history, []),
                         Measure("tax_per_ha", tax_ytd, history, [])], THRESHOLDS, settings)


def test_an_a_parcel_heading_below_the_output_threshold_is_warned_with_its_basis() -> None:
    # Q1–Q2 bring 0.72亿 of output on 1 ha; three tenths of the year by Q2 project 2.4亿 < 3亿.
    (warning,) = _warn(2, D(72_000_000), D(5_000_000))
    assert warning.at_risk_of is Grade.B and warning.measure == "output_per_ha"
    assert warning.point_per_ha == D(240_000_000) and warning.threshold_per_ha == D(300_000_000)
    assert "有降为B类的风险" in warning.zh and "2.4亿元/公顷" in warning.zh and "3亿元/公顷" in warning.zh
    assert "Q1–Q2" in warning.zh and "本地块2022–2024年" in warning.zh
    assert "at risk of B" in warning.en and "2022–2024" in warning.en


def test_the_same_half_year_on_track_is_not_warned() -> None:
    # 1亿 by Q2, which pro rata would call short (2亿 < 3亿), is on track for this Q4-heavy parcel:
    # three tenths of the year project 3.33亿.
    assert _warn(2, D(100_000_000), D(5_000_000)) == []


def test_no_warning_before_the_configured_quarter_nor_for_grades_that_do_not_rest_on_thresholds() -> None:
    assert _warn(1, D(1), D(1)) == []  # warn_from_quarter = 2
    assert len(_warn(1, D(1), D(1), settings=OutlookSettings(warn_from_quarter=1))) == 2
    assert _warn(2, D(1), D(1), grade=Grade.B) == []
    assert _warn(4, D(1), D(1)) == []  # a whole year is graded, not projected


def test_a_parcel_with_no_history_is_warned_pro_rata_and_says_so() -> None:
    (warning, _) = _warn(3, D(150_000_000), D(1), own=[])
    assert warning.pattern.source is PatternSource.PRO_RATA
    assert warning.point_per_ha == D(200_000_000) and "无历史规律可用" in warning.zh


def test_filings_become_quarters_and_a_correction_that_moves_a_filing_moves_it_between_years() -> None:
    filings = [(2024, 1, D(10)), (2024, 2, D(20)), (2024, 4, D(70)), (2025, 1, D(5)), (2025, None, D(999))]
    years = by_year(filings)
    assert years[2024].amounts == (D(10), D(20), D(0), D(70)) and years[2025].amounts == (D(5), D(0), D(0), D(0))
    corrected = by_year([f for f in filings if f != (2024, 4, D(70))] + [(2025, 4, D(70))])
    assert corrected[2024].total == D(30) and corrected[2025].amounts[3] == D(70)


def test_a_new_tenant_mid_year_raises_the_projection_from_the_quarter_it_files() -> None:
    holder = [(2025, 1, D(10)), (2025, 2, D(20)), (2025, 3, D(30))]
    tenant = [(2025, 3, D(60))]
    before = by_year(holder)[2025]
    after = by_year(holder + tenant)[2025]
    pattern = pattern_for(3, SEASONAL, [], SETTINGS)
    assert project(sum(after.amounts[:3], D(0)), pattern, SETTINGS).point > \
        project(sum(before.amounts[:3], D(0)), pattern, SETTINGS).point


def test_the_category_pattern_sums_every_parcel_per_year() -> None:
    merged = combined([yq(2024, 1, 1, 1, 1), yq(2024, 3, 3, 3, 3), yq(2023, 0, 0, 0, 4)])
    assert [(y.year, y.amounts) for y in merged] == [(2023, (0, 0, 0, 4)), (2024, (4, 4, 4, 4))]


def _case(pid: str, before: Grade, after: Grade, output_quarters: tuple[int, ...]) -> Case:
    return Case(pid, "self_use", HECTARE, before, after,
                output=yq(2025, *output_quarters), tax=yq(2025, 5_000_000, 5_000_000, 5_000_000, 5_000_000),
                output_history=[yq(y, 40, 60, 80, 120) for y in (2022, 2023, 2024)],
                tax_history=[yq(y, 1, 1, 1, 1) for y in (2022, 2023, 2024)])


def test_the_backtest_scores_the_outlook_against_pro_rata_and_last_year() -> None:
    m = 1_000_000
    cases = [
        # Q4-heavy and on track: pro rata calls it short after Q2, the outlook does not.
        _case("on-track", Grade.A, Grade.A, (40 * m, 60 * m, 80 * m, 120 * m)),
        # Declining: short on its own pattern too, and it did lose A.
        _case("declining", Grade.A, Grade.B, (20 * m, 30 * m, 40 * m, 60 * m)),
        _case("was-b", Grade.B, Grade.B, (1, 1, 1, 1)),  # not an A: not in the backtest
    ]
    result = backtest(cases, 2, THRESHOLDS, SETTINGS)
    assert result.parcels == 2
    assert (result.outlook.predicted, result.outlook.true_positives, result.outlook.actual) == (1, 1, 1)
    assert result.outlook.precision == result.outlook.recall == 1
    assert (result.pro_rata.predicted, result.pro_rata.true_positives) == (2, 1)
    assert result.pro_rata.precision == D("0.5")
    assert result.last_year.recall == 0 and result.last_year.precision is None


def test_the_backtest_replays_quarters_one_to_three_only() -> None:
    with pytest.raises(ValueError, match="Q4"):
        backtest([], 4, THRESHOLDS, SETTINGS)
