"""Notices: written with the grading that causes them, delivered by the sender through a channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from credit_ledger.domain.notices import Contact, NoticeKind, NoticeStatus
from credit_ledger.service_layer import grading, notices, publication
from landgrade_events.evaluation import YearPublished
from servicekit.notice_store import STATUSES
from servicekit.notices import GovMessagingChannel, NotDelivered, SmsChannel, SmtpChannel, send_due

from .test_handlers import AFFILIATE, HOLDER, OTHER, OWNER, T0, FakeUnitOfWork, graded, received
from .test_handlers import uow as uow  # the fixture: a holder with an affiliate and a shareholder


@dataclass
class Outbox:
    """A channel that keeps what it was given; it refuses recipients without an e-mail address."""
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    name: str = "email"

    async def send(self, contact: Contact | None, recipient: str, subject: str, body: str) -> None:
        if contact is None or not contact.email:
            raise NotDelivered(f"no e-mail address registered for {recipient}")
        self.sent.append((contact.email, subject, body))


async def test_a_d_grade_tells_the_holder_what_happened_why_what_to_do_and_by_when(uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))
    assert uow.notices.kept == {}  # an A tells nobody anything
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "D", status="provisional")))
    by_kind = {(n.recipient, n.kind): n for n in uow.notices.kept.values()}
    notice = by_kind[(HOLDER, NoticeKind.GRADED_D)]
    assert notice.subject == "地块 P-1 被评为 D 类（暂定（公示期内））"
    for part in ("发生了什么", "原因：test D", "可以做什么", "异议", f"期限：请于 {notice.respond_by} 前办理"):
        assert part in notice.body, part
    assert notice.respond_by is not None and notice.respond_by > T0.date()
    # Every enterprise that lost benefits hears of it once, with each benefit named.
    for uscc in (HOLDER, AFFILIATE, OWNER):
        withdrawn = by_kind[(uscc, NoticeKind.BENEFITS_WITHDRAWN)]
        assert "绿色通道" in withdrawn.body and "重点服务企业名单" in withdrawn.body


async def test_a_grading_applied_again_writes_its_notices_once(uow: FakeUnitOfWork) -> None:
    event = graded("P-2", HOLDER, "C")
    await grading.on_parcels_graded(uow, received(event, event))
    assert [n.kind for n in uow.notices.kept.values()] == [NoticeKind.GRADED_C]


async def test_the_sender_delivers_keeps_waiting_without_an_address_and_gives_up_at_the_limit(
        uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-3", HOLDER, "A"), graded("P-3", HOLDER, "D")))
    await uow.notices.set_contact(Contact(HOLDER, "holder@example.cn", None), "portal", T0)
    channel = Outbox()
    assert await send_due(uow, channel, lambda: T0, max_attempts=2) == 2  # the grade, the benefits
    assert {to for to, _, _ in channel.sent} == {"holder@example.cn"}
    assert any(subject.startswith("地块 P-3 被评为 D 类") for _, subject, _ in channel.sent)
    statuses = {(n.recipient, n.status, n.attempts) for n in uow.notices.kept.values()}
    assert (HOLDER, NoticeStatus.SENT, 1) in statuses
    assert (OWNER, NoticeStatus.PENDING, 1) in statuses  # no address yet: tried again later
    await send_due(uow, channel, lambda: T0, max_attempts=2)
    assert (OWNER, NoticeStatus.FAILED, 2) in {(n.recipient, n.status, n.attempts) for n in uow.notices.kept.values()}
    assert len(channel.sent) == 2  # a sent notice is never sent again


async def test_an_enterprise_token_reads_only_its_own_notices(uow: FakeUnitOfWork) -> None:
    from credit_ledger.domain.subjects import NotYourEnterprise
    from servicekit.auth import Principal

    await grading.on_parcels_graded(uow, received(graded("P-4", HOLDER, "A"), graded("P-4", HOLDER, "D")))
    own = Principal("portal", frozenset({"credit:repair"}), uscc=HOLDER)
    page = await notices.notices_of(uow, HOLDER, own, None, 10)
    assert {i["kind"] for i in page["items"]} == {"graded_d", "benefits_withdrawn"}
    with pytest.raises(NotYourEnterprise):
        await notices.notices_of(uow, OWNER, own, None, 10)


@pytest.mark.parametrize("channel", [SmsChannel(), GovMessagingChannel(), SmtpChannel(None)])
async def test_a_channel_not_connected_refuses_and_says_so(channel: SmsChannel) -> None:
    with pytest.raises(NotDelivered, match="未配置"):
        await channel.send(Contact(HOLDER, "a@b.cn", "+86 10 1234 5678"), HOLDER, "主题", "正文")


def test_a_notice_date_is_the_grading_day_plus_the_policy_days() -> None:
    from credit_ledger.domain.grades import Grade, GradeFact, GradeStatus
    from credit_ledger.domain.notices import NoticePolicy, for_grade

    fact = GradeFact("ev-9", "P-9", HOLDER, Grade.C, GradeStatus.FINAL, 2024, "etown-2024-draft", ("低于阈值",), T0)
    notice = for_grade(fact, NoticePolicy(respond_days=10))
    assert notice is not None and notice.respond_by == date(2025, 3, 11) and "正式" in notice.subject


def _published(year: int = 2024, run_id: str = "run-2024") -> YearPublished:
    return YearPublished(run_id=run_id, year=year, ruleset_id="etown-2024", published_at=T0,
                         objection_window_days=10, objection_last_day=date(2025, 3, 14),
                         objection_deadline=datetime(2025, 3, 15, tzinfo=ZoneInfo("Asia/Shanghai")))


async def test_a_published_year_tells_each_holder_its_grades_and_the_day_objections_close(
        uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(
        graded("P-7", HOLDER, "B", status="provisional"), graded("P-8", HOLDER, "A", status="provisional"),
        graded("P-7", HOLDER, "C", status="provisional"),  # the latest grading of a parcel counts
        graded("Q-1", OTHER, "A", status="provisional"), graded("R-1", OTHER, "D", status="provisional", year=2023)))
    await publication.on_years_published(uow, received(_published(), _published()))  # and a redelivery

    told = {n.recipient: n for n in uow.notices.kept.values() if n.kind is NoticeKind.YEAR_PUBLISHED}
    assert set(told) == {HOLDER, OTHER}
    mine = told[HOLDER]
    assert mine.subject == "2024 年度评价结果公示：异议期至 2025-03-14"
    assert mine.respond_by == date(2025, 3, 14) and mine.parcel_id is None  # two parcels: the notice names both
    for part in ("发生了什么", "地块 P-7：C 类；地块 P-8：A 类", "原因", "可以做什么", "期限：异议期至 2025-03-14"):
        assert part in mine.body, part
    theirs = told[OTHER]
    assert theirs.parcel_id == "Q-1" and "R-1" not in theirs.body  # another year's grade is not this one's


def test_the_statuses_are_the_ones_the_shared_notice_store_writes() -> None:
    assert {s.value for s in NoticeStatus} == STATUSES
