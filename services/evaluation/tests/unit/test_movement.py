"""A year's summary: counts by grade and street, and movement from the year before."""

from __future__ import annotations

import pytest

from evaluation.domain.movement import Graded, moves, summarize
from evaluation.domain.ruleset import RulesetError
from evaluation.domain.ruleset_codec import ruleset_to_dict, with_changes
from evaluation.domain.rulesets import load_seed_ruleset


def test_moves_name_up_down_into_d_and_newly_a() -> None:
    assert moves("B", "A") == ["up", "newly_a"]
    assert moves("D", "A") == ["up", "newly_a"]
    assert moves("A", "D") == ["down", "into_d"]
    assert moves("C", "B") == ["up"] and moves("B", "C") == ["down"]
    assert moves("A", "A") == ["same"]
    assert moves(None, "A") == ["new", "newly_a"] and moves(None, "D") == ["new"]


def test_summary_counts_by_grade_street_and_movement() -> None:
    current = [Graded("P1", "荣华街道", "A", "final"), Graded("P2", "荣华街道", "D", "final"),
               Graded("P3", "博兴街道", "B", "provisional"), Graded("P4", "博兴街道", "A", "final")]
    previous = {"P1": "B", "P2": "C", "P3": "B"}
    summary = summarize(2025, current, previous).to_dict()
    assert summary["total"] == 4 and summary["previous_year"] == 2024
    assert summary["by_grade"] == {"A": 2, "B": 1, "C": 0, "D": 1}
    assert summary["by_status"] == {"final": 3, "provisional": 1}
    assert summary["by_street"]["荣华街道"] == {"A": 1, "B": 0, "C": 0, "D": 1}
    assert summary["movement"] == {"up": 1, "down": 1, "same": 1, "new": 1, "into_d": 1, "newly_a": 2}
    assert summary["movement_by_street"]["博兴街道"]["new"] == 1


def test_the_objection_window_minimum_is_a_ruleset_setting() -> None:
    seed = load_seed_ruleset()
    assert (seed.objection_window_days, seed.objection_window_min_days) == (5, 5)
    assert ruleset_to_dict(seed)["objection_window_min_days"] == 5
    assert with_changes(seed, {"objection_window_min_days": 3, "objection_window_days": 3}).objection_window_days == 3
    with pytest.raises(RulesetError) as below:
        with_changes(seed, {"objection_window_days": 4})
    assert below.value.field == "objection_window_days"
    with pytest.raises(RulesetError):
        with_changes(seed, {"objection_window_min_days": 0})
