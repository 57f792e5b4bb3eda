"""How each open violation bears on the grade (C and D rows of the grade table, gaps 1 and 2)."""

from __future__ import annotations

from evaluation.domain.evaluation import Flag, Reason
from evaluation.domain.facts import HolderAttitude, Violation, ViolationKind
from evaluation.domain.grades import Grade
from evaluation.domain.ruleset import Ruleset

_D_CONDITIONS: dict[ViolationKind, tuple[str, str]] = {
    ViolationKind.LITIGATION: ("宗地涉法涉诉", "the parcel is in litigation"),
    ViolationKind.ABANDONED: ("项目烂尾", "the project is abandoned or stalled"),
    ViolationKind.RESIDENTIAL_CONVERSION: ("涉及工改住", "industrial-to-residential conversion"),
}
_UNNAMED: dict[ViolationKind, tuple[str, str]] = {
    ViolationKind.NON_INDUSTRIAL_USE: ("不按工业用途使用", "non-industrial use"),
    ViolationKind.ILLEGAL_CONSTRUCTION: ("违法违规建设", "illegal construction"),
}


def judge_violation(violation: Violation, ruleset: Ruleset) -> tuple[Reason, tuple[Flag, ...]]:
    """The reason (with the grade it points to) and the flags one violation adds."""
    vid = violation.violation_id
    if violation.rectified:
        return Reason(
            code="violation_rectified", clause_id="III.6",
            zh=f"违规（{_kind_zh(violation)}，{vid}）已整改，重新评价分级时不再计入",
            en=f"violation ({_kind_en(violation)}, {vid}) rectified; no longer counts on re-evaluation",
            values={"violation_id": vid},
        ), ()
    if violation.kind in _D_CONDITIONS:
        zh, en = _D_CONDITIONS[violation.kind]
        return Reason(code=violation.kind.value, clause_id="III.1.D", grade=Grade.D,
                      zh=f"{zh}（{vid}），属D类情形", en=f"{en} ({vid}): a D condition",
                      values={"violation_id": vid}), ()
    if violation.kind is ViolationKind.UNAUTHORISED_LEASE:
        return _judge_lease(violation, ruleset)
    zh, en = _UNNAMED[violation.kind]
    grade: Grade = getattr(ruleset.unnamed_violations, violation.kind.value)
    setting = ruleset.setting(f"unnamed_violations.{violation.kind.value}")
    return Reason(
        code=violation.kind.value, clause_id="III.7", grade=grade, setting=setting,
        zh=f"{zh}（{vid}）：评价分级表未列明的违规，不得评为A、B类，按规则设置 {setting} 评为{grade}类，"
           "处置措施为执法检查",
        en=f"{en} ({vid}): a violation not named in the grade table; it blocks A and B and is graded "
           f"{grade} by ruleset setting {setting}; the measure is enforcement",
        values={"violation_id": vid},
    ), (Flag.VIOLATION_NOT_NAMED,)


def _judge_lease(lease: Violation, ruleset: Ruleset) -> tuple[Reason, tuple[Flag, ...]]:
    tenant = lease.tenant_uscc or "未登记"
    tenant_en = lease.tenant_uscc or "unregistered tenant"
    values = {"violation_id": lease.violation_id, "tenant_uscc": lease.tenant_uscc or "",
              "equity_linked": str(lease.equity_linked).lower(),
              "holder_attitude": lease.holder_attitude.value}
    if lease.holder_attitude is HolderAttitude.COOPERATING_WITH_RENEWAL:
        return Reason(
            code="unauthorised_lease_cooperating", clause_id="III.1.C", grade=Grade.C, values=values,
            zh=f"未经允许出租给{tenant}，产权人经引导有意愿利用存量空间进行城市更新、积极配合引入产业项目",
            en=f"unauthorised lease to {tenant_en}; after guidance the holder is willing to use the space "
               "for urban renewal and cooperates in bringing in industrial projects",
        ), ()
    if lease.holder_attitude is HolderAttitude.UNDETERMINED:
        setting = ruleset.setting("gaps.lease_guidance_pending_grade")
        grade = ruleset.gaps.lease_guidance_pending_grade
        return Reason(
            code="unauthorised_lease_guidance_pending", clause_id="gap-1", grade=grade, setting=setting,
            values=values,
            zh=f"未经允许出租给{tenant}，产权人尚未表态（引导待定），按规则设置 {setting} 评为{grade}类",
            en=f"unauthorised lease to {tenant_en}; the holder has neither agreed to renewal nor refused to "
               f"correct (guidance pending), graded {grade} by ruleset setting {setting}",
        ), (Flag.GUIDANCE_PENDING,)
    if not lease.equity_linked:
        return Reason(
            code="unauthorised_lease_refused", clause_id="III.1.D", grade=Grade.D, values=values,
            zh=f"未经管委会同意擅自出租给无股权关联关系的市场主体{tenant}且拒不改正，属D类情形",
            en=f"unauthorised lease to {tenant_en}, a market entity with no equity link to the holder, "
               "and the holder refuses to correct: a D condition",
        ), ()
    setting = ruleset.setting("gaps.equity_linked_refusal_grade")
    grade = ruleset.gaps.equity_linked_refusal_grade
    return Reason(
        code="unauthorised_lease_equity_linked_refused", clause_id="gap-2", grade=grade, setting=setting,
        values=values,
        zh=f"擅自出租给有股权关联关系的企业{tenant}且拒不改正；D类标准要求“无股权关联关系”，"
           f"按规则设置 {setting} 评为{grade}类",
        en=f"unauthorised lease to {tenant_en}, which is equity-linked to the holder, and the holder refuses "
           f"to correct; the D text requires no equity link, so graded {grade} by ruleset setting {setting}",
    ), (Flag.EQUITY_LINKED_TENANT,)


def _kind_zh(violation: Violation) -> str:
    names = {**_D_CONDITIONS, **_UNNAMED, ViolationKind.UNAUTHORISED_LEASE: ("未经允许出租", "")}
    return names[violation.kind][0]


def _kind_en(violation: Violation) -> str:
    return violation.kind.value.replace("_", " ")
