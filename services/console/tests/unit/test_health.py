"""The health card's bars and "what it would take", computed from a grade and its ruleset."""

from __future__ import annotations

from decimal import Decimal

from console.views.health import bars, what_it_would_take

THRESHOLDS = {"output_per_ha": "300000000", "tax_per_ha": "20000000"}


def grade_b(output_per_ha: str, tax_per_ha: str, area_ha: str = "2.00") -> dict[str, object]:
    return {"grade": "B", "metrics": {"output_per_ha": output_per_ha, "tax_per_ha": tax_per_ha, "area_ha": area_ha},
            "reasons": [{"code": "economic_output_missed", "grade": "B", "zh": "…", "en": "…", "clause_id": "III.1.B"}]}


def test_a_b_parcel_short_of_output_is_told_the_missing_output_per_hectare_and_for_the_whole_parcel() -> None:
    steps = what_it_would_take(grade_b("238000000", "25000000"), THRESHOLDS)
    assert [s.code for s in steps] == ["gap:output_per_ha"]
    assert steps[0].zh.startswith("产值还差 0.62 亿元/公顷")
    assert "全宗地 2.00 公顷合计约 1.24 亿元" in steps[0].zh
    assert "0.62 hundred million CNY/ha short" in steps[0].en


def test_both_gaps_are_named_when_both_measures_fall_short() -> None:
    steps = what_it_would_take(grade_b("100000000", "5000000"), THRESHOLDS)
    assert [s.code for s in steps] == ["gap:output_per_ha", "gap:tax_per_ha"]
    assert steps[1].zh.startswith("税收还差 1500.00 万元/公顷")


def test_a_violation_comes_first_and_says_how_it_is_cleared_whatever_the_output() -> None:
    grade = {"grade": "D", "metrics": {"output_per_ha": "900000000", "tax_per_ha": "90000000", "area_ha": "1"},
             "reasons": [{"code": "output_per_ha_met", "grade": None, "zh": "地均产值达标", "en": "met", "clause_id": "III.1.A"},
                         {"code": "unauthorised_lease_refused", "grade": "D", "zh": "擅自出租且拒不改正",
                          "en": "unauthorised lease, refuses to correct", "clause_id": "III.1.D"}]}
    steps = what_it_would_take(grade, THRESHOLDS)
    assert [s.code for s in steps] == ["clear:unauthorised_lease_refused"]
    assert "III.1.D" in steps[0].zh and "终止未经管委会批准的出租" in steps[0].zh


def test_grade_a_is_told_to_keep_it() -> None:
    assert [s.code for s in what_it_would_take({"grade": "A", "reasons": []}, THRESHOLDS)] == ["keep_a"]


def test_bars_compare_each_measure_with_its_threshold_and_cap_at_full() -> None:
    found = {b.key: b for b in bars(grade_b("450000000", "10000000"), THRESHOLDS)}
    assert found["output_per_ha"].met and found["output_per_ha"].percent == 100
    assert not found["tax_per_ha"].met and found["tax_per_ha"].percent == 50
    assert found["tax_per_ha"].threshold == Decimal("20000000")


def test_no_thresholds_no_bars_and_no_invented_gap() -> None:
    assert bars(grade_b("1", "1"), {}) == []
    assert [s.code for s in what_it_would_take(grade_b("1", "1"), {})] == ["commitment"]
