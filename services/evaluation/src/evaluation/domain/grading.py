"""grade(facts, ruleset): the comprehensive evaluation (综合评价) of one parcel for one year.

Precedence D > C > A/B: open violations decide first; only a parcel without them is judged on
output and tax. A contract breach keeps a parcel out of A (gap 6). Every reason cites its clause
and the numbers it compared; every reason that rests on a ruleset setting names that setting.
"""

from __future__ import annotations

from evaluation.domain.evaluation import Evaluation, Flag, Metrics, Reason
from evaluation.domain.facts import ContractBreach, ParcelFacts
from evaluation.domain.grades import Grade, worst
from evaluation.domain.money import hectares, per_hectare
from evaluation.domain.performance import judge_performance
from evaluation.domain.ruleset import Ruleset
from evaluation.domain.violations import judge_violation


def measure(facts: ParcelFacts) -> Metrics:
    return Metrics(
        area_ha=hectares(facts.area_m2),
        output_value=facts.output_value,
        tax_paid=facts.tax_paid,
        output_per_ha=per_hectare(facts.output_value, facts.area_m2),
        tax_per_ha=per_hectare(facts.tax_paid, facts.area_m2),
    )


def grade(facts: ParcelFacts, ruleset: Ruleset) -> Evaluation:
    metrics = measure(facts)
    reasons: list[Reason] = []
    flags: list[Flag] = []
    for violation in facts.violations:
        reason, added = judge_violation(violation, ruleset)
        reasons.append(reason)
        flags.extend(added)
    if not facts.open_violations:
        performance, performance_flags = judge_performance(facts, metrics, ruleset)
        reasons.extend(performance)
        flags.extend(performance_flags)
    review = False
    for breach in facts.breaches:
        reasons.append(_breach_reason(breach, ruleset))
        if not breach.rectified:
            flags.append(Flag.CONTRACT_BREACH)
            review = review or ruleset.gaps.contract_breach_opens_review_case
    if review:
        flags.append(Flag.REVIEW_CASE_NEEDED)
    decided = [r.grade for r in reasons if r.grade is not None]
    return Evaluation(
        parcel_id=facts.parcel_id,
        year=facts.year,
        grade=worst(*decided) if decided else Grade.B,
        reasons=tuple(reasons),
        metrics=metrics,
        flags=tuple(dict.fromkeys(flags)),
        ruleset_id=ruleset.id,
        review_case_needed=review,
    )


def _breach_reason(breach: ContractBreach, ruleset: Ruleset) -> Reason:
    what = f"{breach.description or breach.kind.value}"
    due = f"，约定期限 {breach.due_date.isoformat()}" if breach.due_date else ""
    due_en = f", due {breach.due_date.isoformat()}" if breach.due_date else ""
    values = {"breach_id": breach.breach_id,
              "due_date": breach.due_date.isoformat() if breach.due_date else ""}
    if breach.rectified:
        return Reason(code="contract_breach_rectified", clause_id="III.6", values=values,
                      zh=f"违约（{what}{due}）已整改，不再计入",
                      en=f"contract breach ({what}{due_en}) rectified; no longer counts")
    setting = ruleset.setting("gaps.contract_breach_grade")
    grade = ruleset.gaps.contract_breach_grade
    review_zh = "，需开启复核案件" if ruleset.gaps.contract_breach_opens_review_case else ""
    review_en = "; a review case is needed" if ruleset.gaps.contract_breach_opens_review_case else ""
    return Reason(
        code="contract_breach", clause_id="gap-6", grade=grade, setting=setting, values=values,
        zh=f"违约：未履行入区协议或土地出让合同约定（{what}{due}），按规则设置 {setting} "
           f"评为{grade}类{review_zh}",
        en=f"breach of contract: a contracted obligation was missed ({what}{due_en}); graded"
           f" {grade} by ruleset setting {setting}{review_en}",
    )
