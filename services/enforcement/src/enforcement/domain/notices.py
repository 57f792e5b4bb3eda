"""Notices to a street office or town government: a new inspection task in its area — what
happened, why, what to do and by when, in Chinese, the language of the people who read them — and
the withdrawal of one it was told of.

A notice is written in the transaction that creates (or withdraws) the task, so a task never
commits without its notice nor a notice without its task; a repeated report refreshes the open
task and tells nobody again. Its id derives from the task and the street: the same task written twice is one notice. The
notice names parcels and enterprises (USCCs), never a person's ID number.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from landgrade_reference.jurisdictions import canonical_jurisdiction
from landgrade_reference.official_calendar import CalendarUnknown, OfficialCalendar, working_days_after

from .local_time import local_date
from .projections import InspectionTask
from .task_brief import brief


class NoticeKind(enum.StrEnum):
    INSPECTION_TASK = "inspection_task"
    TASK_WITHDRAWN = "task_withdrawn"  # a task the office was told of no longer asks for a visit


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"  # not delivered yet (the sender retries)
    SENT = "sent"
    FAILED = "failed"  # gave up after the most attempts; `last_error` says why


@dataclass(frozen=True)
class StreetContact:
    """Where a street office or town government is reached; `street` is its canonical key."""

    street: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class TaskNoticePolicy:
    # Working days (China's official calendar) the street office has to inspect a new task's
    # parcel, counted from the day after the task was created (Beijing time).
    inspect_working_days: int = 10
    calendar: OfficialCalendar = field(default_factory=OfficialCalendar)


@dataclass(frozen=True)
class Notice:
    notice_id: str
    recipient: str  # the street's canonical key
    kind: NoticeKind
    parcel_id: str | None
    task_id: str | None
    subject: str
    body: str  # what happened, why, what to do, by when
    respond_by: date | None  # None: the official calendar of the deadline's year is not published yet
    created_at: datetime
    status: NoticeStatus = NoticeStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    channel: str | None = None


def recipient_of(street: str) -> str:
    return canonical_jurisdiction(street)


def task_notice_id(task_id: str, street: str, kind: NoticeKind = NoticeKind.INSPECTION_TASK) -> str:
    digest = hashlib.sha256(f"{kind.value}|{task_id}|{recipient_of(street)}".encode())
    return digest.hexdigest()[:40]


def inspect_by(created_at: datetime, policy: TaskNoticePolicy) -> date | None:
    """The last day of the inspection period, or None when the official calendar does not know the
    days it would count over (no working day is guessed)."""
    try:
        return working_days_after(local_date(created_at), policy.inspect_working_days, policy.calendar.is_workday)
    except CalendarUnknown:
        return None


def for_new_task(task: InspectionTask, policy: TaskNoticePolicy) -> Notice:
    """The street office's notice of a task just created in its area."""
    told = brief(task, "zh")
    parcel = task.parcel_name or task.parcel_id
    by = inspect_by(task.created_at, policy)
    days = policy.inspect_working_days
    deadline = (f"请于 {by.isoformat()} 前（自任务下达次日起 {days} 个工作日）完成现场核查并提交检查记录。"
                if by is not None else
                f"请自任务下达次日起 {days} 个工作日内完成现场核查并提交检查记录"
                "（期限所在年度的法定节假日安排尚未公布，具体日期待公布后确定）。")
    subject = f"新的核查任务：地块 {task.parcel_id}「{parcel}」"
    where = f"，地址：{task.parcel_address}" if task.parcel_address else ""
    body = (f"发生了什么：{told.street_name}辖区内的地块 {task.parcel_id}「{parcel}」{where}产生了新的核查任务"
            f"（任务编号 {task.task_id}）。\n"
            f"原因：{told.why}\n"
            "需要做什么：请派员到现场核查该地块的实际使用情况，核实企业是否未经批准承租或使用土地；"
            "核查后在检查应用中提交该地块的检查记录（附现场照片等证据），任务随检查记录自动完成。\n"
            f"期限：{deadline}")
    return Notice(task_notice_id(task.task_id, task.street), recipient_of(task.street), NoticeKind.INSPECTION_TASK,
                  task.parcel_id, task.task_id, subject, body, by, task.created_at)


def for_withdrawn_task(task: InspectionTask) -> Notice:
    """The street office's notice that a task it was told of is withdrawn (the lease it was about
    is approved): no visit is needed. One per task, like the task's own notice."""
    told = brief(task, "zh")
    parcel = task.parcel_name or task.parcel_id
    at = task.done_at or task.last_reported_at
    subject = f"核查任务撤回：地块 {task.parcel_id}「{parcel}」"
    body = (f"发生了什么：{told.street_name}辖区内地块 {task.parcel_id}「{parcel}」的核查任务"
            f"（任务编号 {task.task_id}）已撤回。\n"
            f"原因：{told.why}\n"
            "需要做什么：无需再到现场核查；已安排的核查可以取消。")
    return Notice(task_notice_id(task.task_id, task.street, NoticeKind.TASK_WITHDRAWN), recipient_of(task.street),
                  NoticeKind.TASK_WITHDRAWN, task.parcel_id, task.task_id, subject, body, None, at)
