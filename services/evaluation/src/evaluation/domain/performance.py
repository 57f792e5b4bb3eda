"""A or B from output and tax: per-hectare thresholds, or a renewal park's own commitment."""

from __future__ import annotations

from decimal import Decimal

from evaluation.domain.evaluation import Flag, Metrics, Reason
from evaluation.domain.facts import Category, ParcelFacts
from evaluation.domain.grades import Grade
from evaluation.domain.money import cny_en, cny_zh_pair
from evaluation.domain.ruleset import CommitmentRule, Ruleset

Judged = tuple[list[Reason], list[Flag]]


def judge_performance(facts: ParcelFacts, metrics: Metrics, ruleset: Ruleset) -> Judged:
    """Reasons whose grades (A or B, or a gap setting's grade) decide a parcel without violations."""
    reasons: list[Reason] = []
    flags: list[Flag] = []
    if facts.category is Category.RENEWAL_PARK and facts.commitment is None:
        setting = ruleset.setting("gaps.renewal_without_commitment_grade")
        grade = ruleset.gaps.renewal_without_commitment_grade
        reasons.append(Reason(
            code="no_commitment_on_record", clause_id="gap-5", grade=grade, setting=setting,
            zh=f"城市更新园区无经济效益承诺记录，按规则设置 {setting} 评为{grade}类",
            en=f"urban-renewal park with no commitment on record, graded {grade} by ruleset setting "
               f"{setting}",
        ))
        flags.append(Flag.NO_COMMITMENT_ON_RECORD)
    if not facts.has_filing:
        setting = ruleset.setting("gaps.no_filing_grade")
        grade = ruleset.gaps.no_filing_grade
        reasons.append(Reason(
            code="no_filing", clause_id="gap-3", grade=grade, setting=setting,
            zh=f"{facts.year}年度无产值税收申报，产值和税收按0计，按规则设置 {setting} 评为{grade}类",
            en=f"no revenue filing for {facts.year}: output and tax count as 0, graded {grade} by ruleset "
               f"setting {setting}",
        ))
        flags.append(Flag.NO_FILING)
    if facts.category is not Category.RENEWAL_PARK:
        met = [_compare(reasons, "output_per_ha", "地均产值", "output per hectare", metrics.output_per_ha,
                        ruleset.thresholds.output_per_ha, "/公顷", " CNY/ha"),
               _compare(reasons, "tax_per_ha", "地均税收", "tax per hectare", metrics.tax_per_ha,
                        ruleset.thresholds.tax_per_ha, "/公顷", " CNY/ha")]
        _conclude(reasons, all(met))
    elif facts.commitment is not None:
        met = [_compare(reasons, "output_value", "产值", "output", metrics.output_value,
                        facts.commitment.output_value, "", " CNY", "承诺产值", "committed output"),
               _compare(reasons, "tax_paid", "税收", "tax", metrics.tax_paid,
                        facts.commitment.tax_paid, "", " CNY", "承诺税收", "committed tax")]
        rule = ruleset.renewal_commitment_rule
        setting = ruleset.setting("renewal_commitment_rule")
        reasons.append(Reason(
            code="renewal_commitment_rule", clause_id="setting.renewal_commitment_rule", setting=setting,
            zh=f"城市更新园区按规则设置 {setting} 判断是否达到经济效益承诺",
            en=f"whether the urban-renewal park met its commitment is judged by ruleset setting {setting}",
        ))
        _conclude(reasons, _commitment_met(rule, met[0], met[1]), renewal=True)
    _add_aggregation(facts, ruleset, reasons, flags)
    return reasons, flags


def _commitment_met(rule: CommitmentRule, output_met: bool, tax_met: bool) -> bool:
    return {
        CommitmentRule.BOTH: output_met and tax_met,
        CommitmentRule.EITHER: output_met or tax_met,
        CommitmentRule.OUTPUT_ONLY: output_met,
        CommitmentRule.TAX_ONLY: tax_met,
    }[rule]


def _compare(reasons: list[Reason], code: str, zh: str, en: str, value: Decimal, bar: Decimal,
             unit_zh: str, unit_en: str, bar_zh: str = "", bar_en: str = "") -> bool:
    met = value >= bar
    value_zh, bar_shown_zh = cny_zh_pair(value, bar)
    op = "≥" if met else "<"
    bar_zh = f"{bar_zh} " if bar_zh else ""
    bar_en = f"{bar_en} " if bar_en else ""
    reasons.append(Reason(
        code=f"{code}_{'met' if met else 'below'}", clause_id="III.1.A" if met else "III.1.B",
        zh=f"{zh} {value_zh}{unit_zh} {op} {bar_zh}{bar_shown_zh}{unit_zh}",
        en=f"{en} {cny_en(value)}{unit_en} {op} {bar_en}{cny_en(bar)}{unit_en}",
        values={"value": format(value, "f"), "threshold": format(bar, "f")},
    ))
    return met


def _conclude(reasons: list[Reason], met: bool, renewal: bool = False) -> None:
    grade = Grade.A if met else Grade.B
    bar_zh, bar_en = ("经济效益承诺", "its economic commitment") if renewal else ("A类标准", "the A standard")
    reasons.append(Reason(
        code=("commitment" if renewal else "economic_output") + ("_met" if met else "_missed"),
        clause_id="III.1.A" if met else "III.1.B", grade=grade,
        zh=f"经济效益产出{'达到' if met else '未达到'}{bar_zh}，无违规行为：{grade}类",
        en=f"economic output {'meets' if met else 'does not meet'} {bar_en} and there is no "
           f"violation: grade {grade}",
    ))


def _add_aggregation(facts: ParcelFacts, ruleset: Ruleset, reasons: list[Reason], flags: list[Flag]) -> None:
    if len(facts.contributing_usccs) > 1:
        setting = ruleset.setting("gaps.parcel_output_aggregation")
        names = "、".join(facts.contributing_usccs)
        count = len(facts.contributing_usccs)
        reasons.append(Reason(
            code="output_summed", clause_id="gap-4", setting=setting, values={"usccs": names},
            zh=f"产值和税收为宗地上{count}家企业（{names}）合计（规则设置 {setting}）",
            en=f"output and tax are summed over {count} enterprises on the parcel "
               f"({', '.join(facts.contributing_usccs)}) by ruleset setting {setting}",
        ))
        flags.append(Flag.OUTPUT_SUMMED)
    if facts.apportioned_by_area:
        setting = ruleset.setting("gaps.unattributed_filing")
        reasons.append(Reason(
            code="filing_split_by_area", clause_id="gap-4", setting=setting,
            zh=f"有申报未注明宗地，按占用面积分摊到该企业各宗地（规则设置 {setting}）",
            en=f"a filing naming no parcel was split across the enterprise's parcels by occupied area "
               f"(ruleset setting {setting})",
        ))
        flags.append(Flag.FILING_SPLIT_BY_AREA)
