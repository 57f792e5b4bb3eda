from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from evaluation.domain.grades import Grade
from evaluation.domain.ruleset import CommitmentRule, OutlookSettings, RulesetError, select_ruleset
from evaluation.domain.ruleset_codec import ruleset_from_dict, ruleset_to_dict, with_changes
from evaluation.domain.rulesets import load_seed_ruleset, seed_ruleset_document


def test_seed_is_the_etown_draft_with_its_thresholds_and_defaults(etown) -> None:
    assert (etown.id, etown.name) == ("etown-2024-draft", "E-Town 2024 draft")
    assert etown.thresholds.output_per_ha == Decimal("300000000")
    assert etown.thresholds.tax_per_ha == Decimal("20000000")
    assert etown.renewal_commitment_rule is CommitmentRule.BOTH
    assert etown.equity_link_search_depth == 3
    assert etown.gaps.lease_guidance_pending_grade is Grade.C
    assert etown.gaps.equity_linked_refusal_grade is Grade.C
    assert etown.gaps.no_filing_grade is Grade.B
    assert etown.gaps.renewal_without_commitment_grade is Grade.B
    assert etown.gaps.contract_breach_grade is Grade.B and etown.gaps.contract_breach_opens_review_case
    assert etown.unnamed_violations.non_industrial_use is Grade.D
    assert etown.unnamed_violations.illegal_construction is Grade.D


def test_seed_quotes_the_chinese_policy_wording(etown) -> None:
    assert "地均产值3亿元/公顷且税收2000万元/公顷" in etown.clauses["III.1.A"].zh
    assert "擅自对外出租给无股权关联关系的市场主体且拒不改正" in etown.clauses["III.1.D"].zh
    assert "有意愿利用存量空间进行城市更新" in etown.clauses["III.1.C"].zh
    for gap in range(1, 7):
        clause = etown.clauses[f"gap-{gap}"]
        assert clause.zh and clause.en


def test_dump_is_json_with_decimals_as_strings_and_round_trips(etown) -> None:
    doc = ruleset_to_dict(etown)
    assert doc["thresholds"] == {"output_per_ha": "300000000", "tax_per_ha": "20000000"}
    assert ruleset_from_dict(json.loads(json.dumps(doc))) == etown
    assert doc == seed_ruleset_document()


def test_seed_is_loaded_fresh_by_a_function() -> None:
    assert load_seed_ruleset() == load_seed_ruleset()
    with pytest.raises(KeyError):
        load_seed_ruleset("no-such-ruleset")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"thresholds": {"output_per_ha": "-1"}}, "thresholds.output_per_ha"),
        ({"thresholds": {"tax_per_ha": 1.5}}, "thresholds.tax_per_ha"),
        ({"gaps": {"no_filing_grade": "A"}}, "gaps.no_filing_grade"),
        ({"gaps": {"equity_linked_refusal_grade": "E"}}, "gaps.equity_linked_refusal_grade"),
        ({"gaps": {"contract_breach_opens_review_case": "yes"}}, "gaps.contract_breach_opens_review_case"),
        ({"renewal_commitment_rule": "most"}, "renewal_commitment_rule"),
        ({"equity_link_search_depth": 0}, "equity_link_search_depth"),
        ({"unnamed_violations": {"non_industrial_use": "B"}}, "unnamed_violations.non_industrial_use"),
        ({"effective_from": "2024-13-01"}, "effective_from"),
        ({"effective_to": "2020-01-01"}, "effective_to"),
        ({"name": ""}, "name"),
        ({"clauses": {"X": {"zh": "只有中文"}}}, "clauses.X"),
        ({"outlook": {"warn_from_quarter": 4}}, "outlook.warn_from_quarter"),
        ({"outlook": {"min_history_years": 0}}, "outlook.min_history_years"),
        ({"outlook": {"min_share": "0"}}, "outlook.min_share"),
        ({"outlook": {"range_widening": "1"}}, "outlook.range_widening"),
        ({"outlook": {"range_widening": 0.1}}, "outlook.range_widening"),
        ({"outlook": "Q2"}, "outlook"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(etown, change, field) -> None:
    with pytest.raises(RulesetError) as error:
        with_changes(etown, change)
    assert error.value.field == field


def test_with_changes_leaves_the_original_untouched(etown) -> None:
    changed = with_changes(etown, {"id": "what-if", "thresholds": {"tax_per_ha": "10000000"}})
    assert changed.thresholds.tax_per_ha == Decimal("10000000")
    assert changed.thresholds.output_per_ha == Decimal("300000000")
    assert etown.thresholds.tax_per_ha == Decimal("20000000")


def test_the_ruleset_in_force_for_a_year(etown) -> None:
    later = with_changes(etown, {"id": "etown-2026", "effective_from": "2026-01-01"})
    ended = with_changes(etown, {"id": "old", "effective_from": "2020-01-01", "effective_to": "2022-12-31"})
    rulesets = [etown, later, ended]
    assert select_ruleset(rulesets, 2021).id == "old"  # type: ignore[union-attr]
    assert select_ruleset(rulesets, 2024).id == "etown-2024-draft"  # type: ignore[union-attr]
    assert select_ruleset(rulesets, 2027).id == "etown-2026"  # type: ignore[union-attr]
    assert select_ruleset([later], 2024) is None
    assert etown.covers_year(2023) and not later.covers_year(2025)
    assert ended.effective_to == date(2022, 12, 31)


def test_the_outlook_settings_are_read_from_the_ruleset_with_defaults(etown) -> None:
    assert etown.outlook == OutlookSettings()
    doc = ruleset_to_dict(etown)
    assert doc["outlook"] == {"warn_from_quarter": 2, "min_history_years": 2, "min_share": "0.05",
                              "range_widening": "0"}
    del doc["outlook"]
    assert ruleset_from_dict(doc).outlook == OutlookSettings()
    changed = with_changes(etown, {"outlook": {"warn_from_quarter": 1, "range_widening": "0.1"}})
    assert changed.outlook == OutlookSettings(warn_from_quarter=1, range_widening=Decimal("0.1"))
    assert ruleset_to_dict(changed)["outlook"]["range_widening"] == "0.1"
