"""A yearly run goes draft -> published (objection window, 公示) -> final. Benefits follow final.

A final year is final: it is not run, published or finalised again; only an explicit
re-evaluation (重新评价, `re_evaluation.py`) changes its grades. The objection window counts
working days on China's official calendar, never fewer than the ruleset's minimum.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evaluation.service_layer.outgoing import document_from_row
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from landgrade_events.evaluation import YearPublished
from landgrade_reference.official_calendar import CalendarUnknown, OfficialCalendar, working_days_after

__all__ = ["CalendarUnknown", "PublicationError", "PublishedInFuture", "WindowTooShort", "finalize",
           "objection_deadline", "publish", "year_final"]

BEIJING = ZoneInfo("Asia/Shanghai")


class PublicationError(Exception):
    """A step the state of the year or run does not allow: `kind` names the problem (its type),
    `zh` and `en` say why."""

    def __init__(self, kind: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.kind, self.zh, self.en = kind, zh, en


class WindowTooShort(Exception):
    """An objection window shorter than the ruleset's minimum."""

    def __init__(self, requested: int, minimum: int, ruleset_id: str) -> None:
        super().__init__(f"{requested} < {minimum}")
        self.requested, self.minimum, self.ruleset_id = requested, minimum, ruleset_id


def year_final(year: int) -> PublicationError:
    return PublicationError(
        "year-final", f"{year}年度评价结果已为正式结果，不能重新运行；如需更正，请发起重新评价。",
        f"The grades of {year} are final and cannot be run again; re-evaluate the year to correct them.")


class PublishedInFuture(Exception):
    """A publication recorded as made on a day that has not come yet."""


def objection_deadline(published: datetime | date, working_days: int,
                       calendar: OfficialCalendar | None = None) -> tuple[date, datetime]:
    """The last day objections are taken (the `working_days`-th working day after publication, in
    Beijing), and the moment the window closes: midnight after that day."""
    day = published.astimezone(BEIJING).date() if isinstance(published, datetime) else published
    last_day = working_days_after(day, working_days, (calendar or OfficialCalendar()).is_workday)
    return last_day, datetime.combine(last_day + timedelta(days=1), time(), BEIJING)


async def publish(uow: EvaluationUnitOfWork, run_id: str, window_days: int | None,
                  published_on: date | None = None) -> dict[str, Any]:
    """Opens the objection window. `published_on` records a publication made earlier (results
    published on paper, or a year's history loaded later): the window counts from that day, and is
    never shorter than the ruleset's minimum either way."""
    async with uow:
        run = await uow.runs.get(run_id, for_update=True)
        if run is None:
            raise LookupError(run_id)
        if run["state"] != "draft":
            raise PublicationError(
                "run-not-draft", f"只有草稿状态的评价可以公示；此次评价状态为 {run['state']}。",
                f"Only a draft run can be published; this one is {run['state']}.")
        ruleset = await uow.rulesets.get(run["ruleset_id"])
        if ruleset is None:  # a run always names a stored ruleset; rulesets are never deleted
            raise LookupError(run["ruleset_id"])
        window_days = ruleset.objection_window_days if window_days is None else window_days
        if window_days < ruleset.objection_window_min_days:
            raise WindowTooShort(window_days, ruleset.objection_window_min_days, ruleset.id)
        now = uow.clock()
        if published_on is not None and published_on > now.astimezone(BEIJING).date():
            raise PublishedInFuture(published_on.isoformat())
        published = datetime.combine(published_on, time(9), BEIJING) if published_on else now
        last_day, deadline = objection_deadline(published, window_days, uow.calendar)
        await uow.runs.change(run_id, state="published", published_at=published, objection_deadline=deadline,
                              objection_window_days=window_days, objection_last_day=last_day)
        # With the state change: holders are told of the window the moment it opens, never twice;
        # by the bulk lane, which the year's grades took before it.
        announced = YearPublished(run_id=run_id, year=run["year"], ruleset_id=ruleset.id, published_at=published,
                                  objection_window_days=window_days, objection_last_day=last_day,
                                  objection_deadline=deadline)
        await uow.emit_rows([uow.storage.outbox.row(announced, bulk=True)])
        return await uow.runs.get(run_id) or {}


async def finalize(uow: EvaluationUnitOfWork, run_id: str) -> dict[str, Any]:
    """Makes the year's current grades final and announces each one (status final)."""
    async with uow:
        named = await uow.runs.get(run_id)
        if named is None:
            raise LookupError(run_id)
        await uow.grading_lock.take(named["year"])  # no re-grade of the year slips between
        run = await uow.runs.get(run_id, for_update=True)
        if run is None:
            raise LookupError(run_id)
        if run["state"] == "final":
            raise PublicationError(
                "already-final", f"{run['year']}年度评价结果已为正式结果，不能再次确定。",
                f"The grades of {run['year']} are final already; they are not finalised again.")
        if run["state"] != "published":
            raise PublicationError(
                "run-not-published", f"只有已公示的评价可以确定为正式结果；此次评价状态为 {run['state']}。",
                f"Only a published run can be made final; this one is {run['state']}.")
        now = uow.clock()
        if run["objection_deadline"] and now < run["objection_deadline"]:
            last = run.get("objection_last_day") or run["objection_deadline"].date()
            raise PublicationError(
                "objection-window-open", f"异议期至 {last.isoformat()} 结束，结束后方可确定正式结果。",
                f"The objection window is open until {last.isoformat()} (the objection window closes at "
                f"{run['objection_deadline'].isoformat()}).")
        pending = await uow.objections.pending(run_id)
        if pending:
            listed = ", ".join(pending[:20])
            raise PublicationError(
                "objections-pending", f"尚有 {len(pending)} 件异议未作出复核决定：{listed}",
                f"{len(pending)} objection(s) still await a decision: {listed}")
        announced = await uow.grades.make_year_final(run["year"])
        await uow.grades.add_grade_events((event_id, document_from_row(r, "final")) for event_id, r in announced)
        await uow.runs.change(run_id, state="final", finalized_at=now)
        finalized = await uow.runs.get(run_id) or {}
    uow.storage.outbox.written.set()  # committed: the relay may publish the final grades now
    return finalized
