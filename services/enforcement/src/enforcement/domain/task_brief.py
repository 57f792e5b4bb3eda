"""What an inspection task tells the inspector who goes there: where, whose land, and why — the
filing or the unapproved lease that gave rise to it, or the approval that withdrew it — in the
reader's language (Chinese first)."""

from __future__ import annotations

from dataclasses import dataclass

from landgrade_reference.jurisdictions import known_jurisdiction

from .projections import InspectionTask


@dataclass(frozen=True)
class TaskBrief:
    street_name: str  # the street's or town's name as its office writes it
    why: str


def brief(task: InspectionTask, language: str = "zh") -> TaskBrief:
    """A withdrawn task says so first, with the approval that withdrew it, then why it had existed;
    it asks for no visit."""
    known = known_jurisdiction(task.street)
    street = (known.name_en if language == "en" else known.name_zh) if known else task.street
    cause, visit = _cause(task, language)
    if task.status != "withdrawn":
        return TaskBrief(street, f"{cause}{visit}")
    approved_on = task.approval_date.isoformat() if task.approval_date else "?"
    ref = task.approval_ref or "?"
    if language == "en":
        return TaskBrief(street, f"Withdrawn: lease {task.approval_lease_id} of enterprise {task.suspected_uscc} "
                                 f"was approved by the Administrative Committee ({ref}, {approved_on}); no visit is "
                                 f"needed. The task had been opened because: {cause}")
    return TaskBrief(street, f"已撤回：企业 {task.suspected_uscc} 的租赁 {task.approval_lease_id} 已获管委会批准"
                             f"（{ref}，{approved_on}），无需再到现场核查。原任务事由：{cause}")


def _cause(task: InspectionTask, language: str) -> tuple[str, str]:
    """(why the task exists, what to do about it), in `language`."""
    parcel = task.parcel_name or task.parcel_id
    holder = task.holder_name or task.holder_uscc
    if language == "en":
        owner = f" (rights holder: {holder})" if holder else ""
        if task.lease_id:
            return ((f"Lease {task.lease_id} of parcel {task.parcel_id} {parcel}{owner} to enterprise "
                     f"{task.suspected_uscc} was registered without the Administrative Committee's approval "
                     f"({task.reports} report(s))."),
                    " Go and check whether the tenant occupies the land without approval "
                    "(unauthorised lease) and record what you find as an inspection of the parcel.")
        return ((f"Tax filing {task.filing_id} shows enterprise {task.suspected_uscc} declaring {task.year} revenue "
                 f"on parcel {task.parcel_id} {parcel}{owner}, though it is neither the rights holder nor an approved "
                 f"tenant ({task.reports} report(s))."),
                " Go and check whether the land is let without approval "
                "(unauthorised lease) and record what you find as an inspection of the parcel.")
    owner = f"（土地使用权人：{holder}）" if holder else ""
    if task.lease_id:
        return ((f"未经批准的租赁登记：地块 {task.parcel_id}「{parcel}」{owner}的租赁 {task.lease_id}，"
                 f"承租企业 {task.suspected_uscc}，未经管委会批准（共 {task.reports} 次）。"),
                "请到现场核查承租企业是否未经批准占用土地，并将核查结果作为该地块的检查记录提交。")
    return ((f"税务申报 {task.filing_id} 显示，企业 {task.suspected_uscc} 在地块 {task.parcel_id}「{parcel}」{owner}"
             f"申报了 {task.year} 年的收入，但它既不是土地使用权人，也不是经批准的承租人（共 {task.reports} 次）。"),
            "请到现场核查是否存在未经批准的出租，并将核查结果作为该地块的检查记录提交。")
