"""The evaluation service's unit of work: its repositories on the transaction's session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.facts_repository import FactsRepository
from evaluation.adapters.grades_repository import GradeRepository
from evaluation.adapters.grading_lock import GradingLock
from evaluation.adapters.monitoring_repository import MonitoringRepository
from evaluation.adapters.objections_repository import ObjectionRepository
from evaluation.adapters.rulesets_repository import RulesetRepository
from evaluation.adapters.runs_repository import RunRepository
from evaluation.adapters.timeline_repository import TimelineRepository
from landgrade_reference.official_calendar import OfficialCalendar
from servicekit.uow import Storage, UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


class EvaluationUnitOfWork(UnitOfWork):
    facts: FactsRepository
    grades: GradeRepository
    rulesets: RulesetRepository
    runs: RunRepository
    objections: ObjectionRepository
    grading_lock: GradingLock
    monitoring: MonitoringRepository
    timeline: TimelineRepository

    def __init__(self, storage: Storage, *, session: AsyncSession | None = None,
                 clock: Callable[[], datetime] = utc_now, calendar: OfficialCalendar | None = None) -> None:
        self.clock = clock  # evaluation times and "today" of the facts, as the context's clock says
        self.calendar = calendar or OfficialCalendar()  # working days of objection windows
        super().__init__(storage, session=session)

    def bind(self, session: AsyncSession) -> None:
        self.facts = FactsRepository(session)
        self.grades = GradeRepository(session, self.storage.outbox)
        self.rulesets = RulesetRepository(session)
        self.runs = RunRepository(session)
        self.objections = ObjectionRepository(session)
        self.grading_lock = GradingLock(session)
        self.monitoring = MonitoringRepository(session)
        self.timeline = TimelineRepository(session)
