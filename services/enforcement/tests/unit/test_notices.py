"""A new inspection task tells its street office what happened, why, what to do and by when, in
Chinese; the notice's id follows from the task, so the task written again is the same notice."""

from __future__ import annotations

from datetime import UTC, datetime

from enforcement.domain.notices import NoticeKind, NoticeStatus, TaskNoticePolicy, for_new_task, task_notice_id
from enforcement.domain.projections import InspectionTask
from enforcement.service_layer.projections import on_suspected_occupant
from servicekit.notice_store import STATUSES

from .test_handlers import RONGHUA, FakeUnitOfWork, _registry, received, suspicion

# Friday 27 September 2024, 17:00 in Beijing: the National Day holiday (1-7 October) and the
# weekend days worked for it (Sunday 29 September, Saturday 12 October) lie in the period.
AT = datetime(2024, 9, 27, 9, 0, tzinfo=UTC)


def task(created_at: datetime = AT, street: str = "荣华街道") -> InspectionTask:
    return InspectionTask("t-1", "YZ-2024-0001", street, "91350100M000100Y43", "files revenue", "TAX-9", 2024, 1,
                          "open", created_at, created_at, None, None, parcel_name="亦庄精密制造基地",
                          parcel_address="荣华南路 1 号", holder_uscc="91110302MA01A2B3C3",
                          holder_name="北京亦庄精密制造有限公司")


def test_a_new_task_tells_the_street_what_why_what_to_do_and_by_when_in_chinese() -> None:
    notice = for_new_task(task(), TaskNoticePolicy(inspect_working_days=10))
    assert (notice.recipient, notice.kind, notice.task_id, notice.parcel_id) == (
        "ronghua", NoticeKind.INSPECTION_TASK, "t-1", "YZ-2024-0001")
    assert notice.subject == "新的核查任务：地块 YZ-2024-0001「亦庄精密制造基地」"
    for part in ("发生了什么：荣华街道辖区内的地块 YZ-2024-0001「亦庄精密制造基地」", "荣华南路 1 号",
                 "原因：税务申报 TAX-9 显示，企业 91350100M000100Y43", "北京亦庄精密制造有限公司",
                 "需要做什么：请派员到现场核查", "提交该地块的检查记录", "期限：请于 2024-10-16 前"):
        assert part in notice.body, part
    # Ten working days on the official calendar: the holiday week does not count, the worked Sunday does.
    assert notice.respond_by is not None and notice.respond_by.isoformat() == "2024-10-16"


def test_the_period_is_a_setting_counted_in_working_days() -> None:
    notice = for_new_task(task(), TaskNoticePolicy(inspect_working_days=2))
    assert notice.respond_by is not None and notice.respond_by.isoformat() == "2024-09-30"  # Sun 29th worked


def test_a_year_the_official_calendar_does_not_know_gives_no_guessed_date() -> None:
    notice = for_new_task(task(datetime(2099, 12, 20, tzinfo=UTC)), TaskNoticePolicy())
    assert notice.respond_by is None
    assert "10 个工作日内" in notice.body and "尚未公布" in notice.body


def test_the_notice_id_follows_from_the_task_and_the_street_however_spelled() -> None:
    assert task_notice_id("t-1", "荣华街道") == task_notice_id("t-1", "Ronghua") == for_new_task(
        task(street="ronghua"), TaskNoticePolicy()).notice_id
    assert task_notice_id("t-1", "荣华街道") != task_notice_id("t-2", "荣华街道")
    assert task_notice_id("t-1", "荣华街道") != task_notice_id("t-1", "博兴街道")


async def test_only_a_new_task_writes_a_notice_a_repeated_or_redelivered_report_none() -> None:
    uow = FakeUnitOfWork()
    await _registry(uow)
    report = received(suspicion("P-1", filing="F-1"))
    await on_suspected_occupant(uow, report)
    [notice] = uow.notices.kept.values()
    [open_task] = uow.projections.open_tasks
    assert (notice.task_id, notice.recipient) == (open_task.task_id, "ronghua")
    assert "Test works" in notice.subject
    await on_suspected_occupant(uow, report)  # redelivered
    await on_suspected_occupant(uow, received(suspicion("P-1", filing="F-2"), suspicion("P-1", filing="F-3")))
    assert list(uow.notices.kept.values()) == [notice] and uow.projections.open_tasks[0].reports == 4
    assert RONGHUA in notice.body


def test_the_statuses_are_the_ones_the_shared_notice_store_writes() -> None:
    assert {s.value for s in NoticeStatus} == STATUSES
