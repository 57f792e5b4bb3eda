"""Notices to an enterprise: what happened, why, what it can do and by when — in Chinese, the
language of the people who read them.

A notice is decided in the same transaction as the fact that causes it (a C or D grade of its
parcel, benefits withdrawn), so a fact never commits without its notice nor a notice without its
fact; a sender delivers it afterwards through a channel. Its id derives from the cause and the
recipient: the same cause applied twice writes one notice.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .benefits import Action, BenefitChange
from .entitlements import Entitlement
from .grades import Grade, GradeFact


class NoticeKind(enum.StrEnum):
    GRADED_C = "graded_c"
    GRADED_D = "graded_d"
    BENEFITS_WITHDRAWN = "benefits_withdrawn"
    YEAR_PUBLISHED = "year_published"


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"  # not delivered yet (the sender retries)
    SENT = "sent"
    FAILED = "failed"  # gave up after the most attempts; `last_error` says why


BENEFIT_NAMES_ZH = {
    Entitlement.KEY_SERVICE_LIST: "重点服务企业名单", Entitlement.GREEN_CHANNEL: "绿色通道（审批改革直通车）",
    Entitlement.INCENTIVE_PRIORITY: "优先享受激励政策", Entitlement.SERVICE_GUIDANCE: "服务指导",
    Entitlement.RENEWAL_GUIDANCE: "城市更新引导", Entitlement.RESTRICTED: "限制措施",
}


@dataclass(frozen=True)
class Contact:
    """Where an enterprise is reached."""

    uscc: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class NoticePolicy:
    # Days the notice gives the enterprise to act (object, apply, rectify), counted from the grading.
    respond_days: int = 15


@dataclass(frozen=True)
class Notice:
    notice_id: str
    recipient: str  # USCC
    kind: NoticeKind
    parcel_id: str | None
    subject: str
    body: str  # what happened, why, what can be done, by when
    respond_by: date | None
    created_at: datetime
    status: NoticeStatus = NoticeStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Publication:
    """A year's grades published (公示), and the last day objections are taken (Beijing)."""

    run_id: str
    year: int
    published_at: datetime
    objection_last_day: date


def _id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _status_zh(fact: GradeFact) -> str:
    return "正式" if fact.final else "暂定（公示期内）"


def _why(fact: GradeFact) -> str:
    return "；".join(fact.reasons) if fact.reasons else "评价结果未附理由"


def for_grade(fact: GradeFact, policy: NoticePolicy) -> Notice | None:
    """The holder's notice of a C or D grade of its parcel; None for A and B."""
    if fact.grade not in (Grade.C, Grade.D):
        return None
    by = fact.graded_at.date() + timedelta(days=policy.respond_days)
    status = _status_zh(fact)
    if fact.grade is Grade.D:
        kind, what = NoticeKind.GRADED_D, "D 类（低效用地，依法处置）"
        action = ("如对评价结果有异议，可通过企业服务门户提出异议并提交证明材料；"
                  "对于查实的违规行为（如未经批准出租），请按街道或镇的要求整改，整改完成后可申请复核和信用修复。"
                  "D 类期间，企业及其关联方不再享受绿色通道等支持政策。")
    else:
        kind, what = NoticeKind.GRADED_C, "C 类（城市更新引导）"
        action = ("如对评价结果有异议，可通过企业服务门户提出异议；"
                  "也可配合街道或镇开展城市更新（如腾退、转让或合作开发），改善用地效益。")
    subject = f"地块 {fact.parcel_id} 被评为 {fact.grade.value} 类（{status}）"
    body = (f"发生了什么：贵单位作为土地使用权人的地块 {fact.parcel_id} 在 {fact.year} 年度工业用地评价中"
            f"被评为{what}，结果为{status}。\n"
            f"原因：{_why(fact)}（评价规则 {fact.ruleset_version}）。\n"
            f"可以做什么：{action}\n"
            f"期限：请于 {by.isoformat()} 前办理。")
    return Notice(_id(kind.value, fact.evaluation_id, fact.holder_uscc), fact.holder_uscc, kind, fact.parcel_id,
                  subject, body, by, fact.graded_at)


def for_withdrawals(changes: Sequence[BenefitChange], fact: GradeFact, policy: NoticePolicy) -> list[Notice]:
    """One notice per enterprise that lost benefits through this grading, naming every one it lost."""
    lost: dict[str, list[BenefitChange]] = {}
    for change in changes:
        if change.action is Action.REVOKED and change.entitlement is not Entitlement.RESTRICTED:
            lost.setdefault(change.uscc, []).append(change)
    by = fact.graded_at.date() + timedelta(days=policy.respond_days)
    notices = []
    for uscc, withdrawn in sorted(lost.items()):
        names = "、".join(BENEFIT_NAMES_ZH[c.entitlement] for c in withdrawn)
        tie = ("贵单位是该地块的土地使用权人" if uscc == fact.holder_uscc
               else "贵单位通过股权或共同责任人与该地块的土地使用权人关联（穿透）")
        body = (f"发生了什么：贵单位的以下待遇已被撤销：{names}。\n"
                f"原因：地块 {fact.parcel_id} 在 {fact.year} 年度被评为 {fact.grade.value} 类"
                f"（{_status_zh(fact)}），{tie}；评价理由：{_why(fact)}。\n"
                "可以做什么：如认为关联关系或评价结果有误，可通过企业服务门户提出异议或申请信用修复；"
                "地块评价恢复后，待遇将按正式评价结果重新授予。\n"
                f"期限：请于 {by.isoformat()} 前办理。")
        notices.append(Notice(_id(NoticeKind.BENEFITS_WITHDRAWN.value, fact.evaluation_id, uscc), uscc,
                              NoticeKind.BENEFITS_WITHDRAWN, fact.parcel_id, f"待遇撤销通知：{names}", body, by,
                              fact.graded_at))
    return notices


def for_publication(publication: Publication, holder: str, held: Sequence[tuple[str, Grade]]) -> Notice:
    """The holder's notice that the year's grades are published: each parcel it holds with its grade,
    and the day the objection window closes. One per holder and publication."""
    last_day = publication.objection_last_day.isoformat()
    listed = "；".join(f"地块 {parcel}：{grade.value} 类" for parcel, grade in sorted(held))
    body = (f"发生了什么：{publication.year} 年度工业用地评价结果已公示（公示日 "
            f"{publication.published_at.date().isoformat()}）。贵单位作为土地使用权人的地块评价结果为：{listed}。\n"
            "原因：每个地块的评价指标与理由可在企业服务门户的地块体检表中查看。\n"
            "可以做什么：如对评价结果有异议，请在异议期内通过企业服务门户提出异议并提交证明材料；"
            "异议期满且异议处理完毕后，评价结果确定为正式结果，相应的支持政策或限制措施随之生效。\n"
            f"期限：异议期至 {last_day}（按法定工作日计算）结束，逾期不再受理。")
    return Notice(_id(NoticeKind.YEAR_PUBLISHED.value, publication.run_id, holder), holder,
                  NoticeKind.YEAR_PUBLISHED, held[0][0] if len(held) == 1 else None,
                  f"{publication.year} 年度评价结果公示：异议期至 {last_day}", body, publication.objection_last_day,
                  publication.published_at)
