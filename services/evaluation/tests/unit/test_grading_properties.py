"""Properties of grade() that must hold for any facts and any valid ruleset."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.domain.facts import (
    Category,
    Commitment,
    ContractBreach,
    HolderAttitude,
    ParcelFacts,
    Violation,
    ViolationKind,
)
from evaluation.domain.grades import Grade
from evaluation.domain.grading import grade
from evaluation.domain.money import cny_en, cny_zh_pair
from evaluation.domain.ruleset import Ruleset
from evaluation.domain.ruleset_codec import ruleset_from_dict, ruleset_to_dict, with_changes
from evaluation.domain.rulesets import load_seed_ruleset

SEED = load_seed_ruleset()
money = st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False)
area = st.decimals(min_value=1, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)
grades = st.sampled_from(list(Grade))

violations = st.builds(
    Violation,
    violation_id=st.text("ABCF-0123456789", min_size=1, max_size=6),
    kind=st.sampled_from(list(ViolationKind)),
    tenant_uscc=st.one_of(st.none(), st.just("91110115MA00TENT2K")),
    equity_linked=st.booleans(),
    holder_attitude=st.sampled_from(list(HolderAttitude)),
    rectified=st.booleans(),
)
facts_strategy = st.builds(
    ParcelFacts,
    parcel_id=st.just("P-1"),
    holder_uscc=st.just("91110302MA01ABCD1X"),
    street=st.sampled_from(["荣华街道", "博兴街道", "亦庄镇"]),
    category=st.sampled_from(list(Category)),
    area_m2=area,
    year=st.integers(2023, 2030),
    output_value=money,
    tax_paid=money,
    has_filing=st.booleans(),
    commitment=st.one_of(st.none(), st.builds(Commitment, money, money)),
    violations=st.lists(violations, max_size=3).map(tuple),
    breaches=st.lists(st.builds(ContractBreach, st.just("B-1"), rectified=st.booleans()), max_size=2).map(tuple),
    contributing_usccs=st.lists(st.sampled_from(["E1", "E2", "E3"]), unique=True, max_size=3).map(tuple),
    apportioned_by_area=st.booleans(),
)


@st.composite
def rulesets(draw: st.DrawFn) -> Ruleset:
    """Any valid ruleset: thresholds and every gap setting drawn at random."""
    non_a = st.sampled_from([Grade.B, Grade.C, Grade.D])
    c_or_d = st.sampled_from(["C", "D"])
    return with_changes(
        SEED,
        {
            "thresholds": {"output_per_ha": str(draw(money)), "tax_per_ha": str(draw(money))},
            "renewal_commitment_rule": draw(st.sampled_from(["both", "either", "output_only", "tax_only"])),
            "gaps": {
                "lease_guidance_pending_grade": draw(grades).value,
                "equity_linked_refusal_grade": draw(grades).value,
                "no_filing_grade": draw(non_a).value,
                "renewal_without_commitment_grade": draw(grades).value,
                "contract_breach_grade": draw(grades).value,
                "contract_breach_opens_review_case": draw(st.booleans()),
            },
            "unnamed_violations": {"non_industrial_use": draw(c_or_d), "illegal_construction": draw(c_or_d)},
        },
    )


D_CONDITIONS = st.one_of(
    st.builds(
        Violation,
        st.just("D-1"),
        st.sampled_from([ViolationKind.LITIGATION, ViolationKind.ABANDONED, ViolationKind.RESIDENTIAL_CONVERSION]),
    ),
    st.builds(
        Violation,
        st.just("D-2"),
        st.just(ViolationKind.UNAUTHORISED_LEASE),
        tenant_uscc=st.just("91110115MA00TENT2K"),
        equity_linked=st.just(False),
        holder_attitude=st.just(HolderAttitude.REFUSES_TO_CORRECT),
    ),
)


def _with(facts: ParcelFacts, **changes: object) -> ParcelFacts:
    return ParcelFacts(**{**facts.__dict__, **changes})


@settings(max_examples=300)
@given(facts_strategy, D_CONDITIONS, rulesets())
def test_an_open_d_condition_always_wins(facts: ParcelFacts, d_condition: Violation, ruleset: Ruleset) -> None:
    evaluation = grade(_with(facts, violations=(*facts.violations, d_condition)), ruleset)
    assert evaluation.grade is Grade.D
    assert any(r.clause_id == "III.1.D" and r.grade is Grade.D for r in evaluation.reasons)


@settings(max_examples=300)
@given(facts_strategy, money, money, st.booleans(), rulesets())
def test_more_output_or_tax_never_lowers_a_grade(
    facts: ParcelFacts, more_output: Decimal, more_tax: Decimal, file_now: bool, ruleset: Ruleset
) -> None:
    before = grade(facts, ruleset)
    richer = _with(
        facts,
        output_value=facts.output_value + more_output,
        tax_paid=facts.tax_paid + more_tax,
        has_filing=facts.has_filing or file_now,
    )
    after = grade(richer, ruleset)
    assert after.grade.severity <= before.grade.severity


@settings(max_examples=200)
@given(facts_strategy, rulesets())
def test_same_facts_same_grade(facts: ParcelFacts, ruleset: Ruleset) -> None:
    first = grade(facts, ruleset)
    again = grade(_with(facts), ruleset_from_dict(ruleset_to_dict(ruleset)))
    assert again == first
    assert again.fingerprint == first.fingerprint


@settings(max_examples=200)
@given(facts_strategy.filter(lambda f: f.category is not Category.RENEWAL_PARK), rulesets())
def test_threshold_reasons_contain_the_compared_numbers(facts: ParcelFacts, ruleset: Ruleset) -> None:
    facts = _with(facts, violations=())
    evaluation = grade(facts, ruleset)
    by_code = {r.code.rsplit("_", 1)[0]: r for r in evaluation.reasons if r.code.startswith(("output_per", "tax_per"))}
    for code, value, bar in (
        ("output_per_ha", evaluation.metrics.output_per_ha, ruleset.thresholds.output_per_ha),
        ("tax_per_ha", evaluation.metrics.tax_per_ha, ruleset.thresholds.tax_per_ha),
    ):
        reason = by_code[code]
        assert cny_en(value) in reason.en and cny_en(bar) in reason.en
        value_zh, bar_zh = cny_zh_pair(value, bar)
        assert f"{value_zh}/公顷 {'≥' if value >= bar else '<'} {bar_zh}/公顷" in reason.zh


@settings(max_examples=200)
@given(facts_strategy, rulesets())
def test_every_reason_cites_a_clause_and_settings_are_shown(facts: ParcelFacts, ruleset: Ruleset) -> None:
    evaluation = grade(facts, ruleset)
    assert any(r.grade is evaluation.grade for r in evaluation.reasons)
    for reason in evaluation.reasons:
        assert reason.clause_id in ruleset.clauses
        if reason.setting:
            assert reason.setting in reason.zh and reason.setting in reason.en
    if evaluation.flags:
        assert any(r.setting for r in evaluation.reasons)
