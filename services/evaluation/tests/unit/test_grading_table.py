"""Every row of the grade table and every gap of the draft, against the seeded E-Town ruleset."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from evaluation.domain.evaluation import Flag
from evaluation.domain.facts import (
    Category,
    Commitment,
    ContractBreach,
    HolderAttitude,
    Violation,
    ViolationKind,
)
from evaluation.domain.grades import Grade
from evaluation.domain.grading import grade
from evaluation.domain.ruleset_codec import with_changes

TENANT = "91110115MA00TENT2K"
COOP, REFUSE, UNDET = (
    HolderAttitude.COOPERATING_WITH_RENEWAL,
    HolderAttitude.REFUSES_TO_CORRECT,
    HolderAttitude.UNDETERMINED,
)


def lease(attitude: HolderAttitude, equity_linked: bool = False, rectified: bool = False) -> Violation:
    return Violation(
        "F-1",
        ViolationKind.UNAUTHORISED_LEASE,
        tenant_uscc=TENANT,
        equity_linked=equity_linked,
        holder_attitude=attitude,
        rectified=rectified,
    )


def violation(kind: ViolationKind, rectified: bool = False) -> Violation:
    return Violation("F-2", kind, rectified=rectified)


RENEWAL = {"category": Category.RENEWAL_PARK, "commitment": Commitment(D("100000000"), D("5000000"))}
HIGH = {"output_value": D("900000000"), "tax_paid": D("90000000")}

CASES = [
    # id, facts overrides, grade, flags that must be present
    ("A self-use at both thresholds", {}, Grade.A, set()),
    ("A approved park above both", {"category": Category.APPROVED_PARK, **HIGH}, Grade.A, set()),
    (
        "A renewal park met commitment",
        {**RENEWAL, "output_value": D("100000000"), "tax_paid": D("5000000")},
        Grade.A,
        set(),
    ),
    ("B self-use output below", {"output_value": D("241000000")}, Grade.B, set()),
    ("B self-use tax below", {"tax_paid": D("19999999.99")}, Grade.B, set()),
    (
        "B approved park both below",
        {"category": Category.APPROVED_PARK, "output_value": D(1), "tax_paid": D(1)},
        Grade.B,
        set(),
    ),
    (
        "B renewal park missed tax commitment",
        {**RENEWAL, "output_value": D("200000000"), "tax_paid": D("4999999")},
        Grade.B,
        set(),
    ),
    ("C lease, holder cooperates with renewal", {"violations": (lease(COOP),), **HIGH}, Grade.C, set()),
    ("D lease, no equity link, refuses", {"violations": (lease(REFUSE),), **HIGH}, Grade.D, set()),
    ("D litigation", {"violations": (violation(ViolationKind.LITIGATION),), **HIGH}, Grade.D, set()),
    ("D abandoned", {"violations": (violation(ViolationKind.ABANDONED),)}, Grade.D, set()),
    (
        "D residential conversion",
        {"violations": (violation(ViolationKind.RESIDENTIAL_CONVERSION),)},
        Grade.D,
        set(),
    ),
    ("D over C", {"violations": (lease(COOP), violation(ViolationKind.LITIGATION))}, Grade.D, set()),
    (
        "D renewal park over met commitment",
        {**RENEWAL, **HIGH, "violations": (lease(REFUSE),)},
        Grade.D,
        set(),
    ),
    ("gap 1 guidance pending -> C", {"violations": (lease(UNDET),)}, Grade.C, {Flag.GUIDANCE_PENDING}),
    (
        "gap 2 equity-linked refusal -> C",
        {"violations": (lease(REFUSE, equity_linked=True),)},
        Grade.C,
        {Flag.EQUITY_LINKED_TENANT},
    ),
    (
        "gap 3 no filing -> B",
        {"has_filing": False, "output_value": D(0), "tax_paid": D(0)},
        Grade.B,
        {Flag.NO_FILING},
    ),
    (
        "gap 3 no filing renewal park -> B",
        {**RENEWAL, "has_filing": False, "output_value": D(0), "tax_paid": D(0)},
        Grade.B,
        {Flag.NO_FILING},
    ),
    (
        "gap 4 summed output lifts to A",
        {"contributing_usccs": ("91110302MA01ABCD1X", TENANT)},
        Grade.A,
        {Flag.OUTPUT_SUMMED},
    ),
    ("gap 4 filing split by area", {"apportioned_by_area": True}, Grade.A, {Flag.FILING_SPLIT_BY_AREA}),
    (
        "gap 5 renewal without commitment -> B",
        {"category": Category.RENEWAL_PARK, **HIGH},
        Grade.B,
        {Flag.NO_COMMITMENT_ON_RECORD},
    ),
    (
        "gap 6 contract breach alone -> B",
        {"breaches": (ContractBreach("B-1", due_date=date(2024, 6, 30)),), **HIGH},
        Grade.B,
        {Flag.CONTRACT_BREACH, Flag.REVIEW_CASE_NEEDED},
    ),
    (
        "unnamed: non-industrial use -> D",
        {"violations": (violation(ViolationKind.NON_INDUSTRIAL_USE),), **HIGH},
        Grade.D,
        {Flag.VIOLATION_NOT_NAMED},
    ),
    (
        "unnamed: illegal construction -> D",
        {"violations": (violation(ViolationKind.ILLEGAL_CONSTRUCTION),)},
        Grade.D,
        {Flag.VIOLATION_NOT_NAMED},
    ),
    (
        "rectified D returns to A",
        {"violations": (violation(ViolationKind.LITIGATION, rectified=True),)},
        Grade.A,
        set(),
    ),
    (
        "rectified lease, open C lease stays C",
        {"violations": (lease(REFUSE, rectified=True), lease(COOP))},
        Grade.C,
        set(),
    ),
    (
        "rectified breach does not block A",
        {"breaches": (ContractBreach("B-1", rectified=True),)},
        Grade.A,
        set(),
    ),
]


@pytest.mark.parametrize(("overrides", "expected", "flags"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_grade_table(make_facts, etown, overrides, expected, flags) -> None:
    evaluation = grade(make_facts(**overrides), etown)
    assert evaluation.grade is expected
    assert flags <= set(evaluation.flags)
    assert evaluation.ruleset_id == "etown-2024-draft"
    decisive = [r for r in evaluation.reasons if r.grade is evaluation.grade]
    assert decisive, "some reason must point to the grade given"
    for reason in evaluation.reasons:
        assert reason.clause_id in etown.clauses, reason.clause_id


def test_gap_flags_only_when_the_gap_applied(make_facts, etown) -> None:
    assert grade(make_facts(), etown).flags == ()


def test_every_gap_setting_is_named_in_its_reason(make_facts, etown) -> None:
    cases = {
        "gaps.lease_guidance_pending_grade = C": make_facts(violations=(lease(UNDET),)),
        "gaps.equity_linked_refusal_grade = C": make_facts(violations=(lease(REFUSE, True),)),
        "gaps.no_filing_grade = B": make_facts(has_filing=False, output_value=D(0), tax_paid=D(0)),
        "gaps.parcel_output_aggregation = sum_holder_and_approved_tenants": make_facts(contributing_usccs=("X1", "X2")),
        "gaps.unattributed_filing = only_parcel_else_split_by_area": make_facts(apportioned_by_area=True),
        "gaps.renewal_without_commitment_grade = B": make_facts(category=Category.RENEWAL_PARK),
        "gaps.contract_breach_grade = B": make_facts(breaches=(ContractBreach("B-1"),)),
        "unnamed_violations.non_industrial_use = D": make_facts(
            violations=(violation(ViolationKind.NON_INDUSTRIAL_USE),)
        ),
        "renewal_commitment_rule = both": make_facts(**RENEWAL),
    }
    for setting, facts in cases.items():
        evaluation = grade(facts, etown)
        named = [r for r in evaluation.reasons if r.setting == setting]
        assert named, setting
        assert setting in named[0].zh and setting in named[0].en


def test_changed_gap_settings_change_the_grade(make_facts, etown) -> None:
    strict = with_changes(
        etown,
        {
            "id": "strict",
            "gaps": {
                "lease_guidance_pending_grade": "D",
                "equity_linked_refusal_grade": "D",
                "no_filing_grade": "C",
                "renewal_without_commitment_grade": "C",
                "contract_breach_grade": "C",
                "contract_breach_opens_review_case": False,
            },
            "unnamed_violations": {"illegal_construction": "C"},
        },
    )
    assert grade(make_facts(violations=(lease(UNDET),)), strict).grade is Grade.D
    assert grade(make_facts(violations=(lease(REFUSE, True),)), strict).grade is Grade.D
    assert grade(make_facts(has_filing=False, output_value=D(0), tax_paid=D(0)), strict).grade is Grade.C
    assert grade(make_facts(category=Category.RENEWAL_PARK), strict).grade is Grade.C
    breach = grade(make_facts(breaches=(ContractBreach("B-1"),)), strict)
    assert breach.grade is Grade.C and not breach.review_case_needed
    assert Flag.REVIEW_CASE_NEEDED not in breach.flags
    illegal = grade(make_facts(violations=(violation(ViolationKind.ILLEGAL_CONSTRUCTION),)), strict)
    assert illegal.grade is Grade.C and "unnamed_violations.illegal_construction = C" in illegal.reasons[0].en


@pytest.mark.parametrize(
    ("rule", "output", "tax", "expected"),
    [
        ("both", "100000000", "4999999", Grade.B),
        ("either", "100000000", "4999999", Grade.A),
        ("either", "99999999", "4999999", Grade.B),
        ("output_only", "100000000", "0", Grade.A),
        ("tax_only", "100000000", "0", Grade.B),
        ("tax_only", "0", "5000000", Grade.A),
    ],
)
def test_renewal_commitment_rule(make_facts, etown, rule, output, tax, expected) -> None:
    ruleset = with_changes(etown, {"renewal_commitment_rule": rule})
    facts = make_facts(**{**RENEWAL, "output_value": D(output), "tax_paid": D(tax)})
    assert grade(facts, ruleset).grade is expected


def test_thresholds_are_data_not_code(make_facts, etown) -> None:
    lower = with_changes(etown, {"thresholds": {"output_per_ha": "200000000"}})
    facts = make_facts(output_value=D("241000000"))
    assert grade(facts, etown).grade is Grade.B
    assert grade(facts, lower).grade is Grade.A
    assert "≥ 2亿元/公顷" in grade(facts, lower).reasons[0].zh


def test_reasons_quote_the_compared_numbers_in_both_languages(make_facts, etown) -> None:
    evaluation = grade(make_facts(output_value=D("241000000"), area_m2=D("10000")), etown)
    texts = [(r.zh, r.en) for r in evaluation.reasons]
    assert (
        "地均产值 2.41亿元/公顷 < 3亿元/公顷",
        "output per hectare 241,000,000 CNY/ha < 300,000,000 CNY/ha",
    ) in texts
    assert (
        "地均税收 2000万元/公顷 ≥ 2000万元/公顷",
        "tax per hectare 20,000,000 CNY/ha ≥ 20,000,000 CNY/ha",
    ) in texts
    assert evaluation.reasons[0].clause_id == "III.1.B"


def test_renewal_reasons_compare_with_the_commitment(make_facts, etown) -> None:
    facts = make_facts(**{**RENEWAL, "output_value": D("120000000"), "tax_paid": D("4000000")})
    texts = [r.zh for r in grade(facts, etown).reasons]
    assert "产值 1.2亿元 ≥ 承诺产值 1亿元" in texts
    assert "税收 400万元 < 承诺税收 500万元" in texts


def test_metrics_per_hectare(make_facts, etown) -> None:
    metrics = grade(make_facts(area_m2=D("25000"), output_value=D("500000000"), tax_paid=D("1")), etown).metrics
    assert metrics.area_ha == D("2.5")
    assert metrics.output_per_ha == D("200000000")
    assert metrics.tax_per_ha == D("0.40")
    assert (metrics.output_value, metrics.tax_paid) == (D("500000000"), D("1"))


def test_contract_breach_keeps_b_and_asks_for_review(make_facts, etown) -> None:
    evaluation = grade(
        make_facts(breaches=(ContractBreach("B-1", description="未按期投产", due_date=date(2024, 6, 30)),)),
        etown,
    )
    assert evaluation.grade is Grade.B and evaluation.review_case_needed
    breach = next(r for r in evaluation.reasons if r.code == "contract_breach")
    assert "未按期投产" in breach.zh and "2024-06-30" in breach.zh and "review case" in breach.en


def test_lease_reasons_name_the_tenant_and_the_attitude(make_facts, etown) -> None:
    reason = grade(make_facts(violations=(lease(REFUSE),)), etown).reasons[0]
    assert TENANT in reason.zh and "无股权关联关系" in reason.zh and reason.clause_id == "III.1.D"
    assert reason.values["holder_attitude"] == "refuses_to_correct"


def test_d_parcel_is_not_explained_by_its_output(make_facts, etown) -> None:
    evaluation = grade(make_facts(violations=(violation(ViolationKind.ABANDONED),), **HIGH), etown)
    assert [r.code for r in evaluation.reasons] == ["abandoned"]
    assert evaluation.metrics.output_per_ha == D("900000000")
