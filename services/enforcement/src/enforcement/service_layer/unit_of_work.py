"""The enforcement service's unit of work: its repositories on the transaction's session, and the
time and comply-by periods its handlers apply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.case_repository import CaseRepository
from enforcement.adapters.inspection_repository import InspectionRepository
from enforcement.adapters.notices_repository import NoticeRepository
from enforcement.adapters.projection_repository import ProjectionRepository
from enforcement.domain.due_periods import DuePolicy
from enforcement.domain.notices import TaskNoticePolicy
from servicekit.uow import Storage, UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


class EnforcementUnitOfWork(UnitOfWork):
    """`clock`, `due_policy`, `task_notices` and `cases_from_provisional_grades` travel with the unit of work
    because an event handler receives nothing else; every handler reads the time from `clock`
    so tests can move it (comply-by dates) without waiting."""

    cases: CaseRepository
    inspections: InspectionRepository
    projections: ProjectionRepository
    notices: NoticeRepository

    def __init__(self, storage: Storage, *, session: AsyncSession | None = None,
                 clock: Callable[[], datetime] = utc_now, due_policy: DuePolicy | None = None,
                 cases_from_provisional_grades: bool = True, task_notices: TaskNoticePolicy | None = None) -> None:
        self.clock = clock
        self.due_policy = due_policy or DuePolicy.from_days()
        self.task_notices = task_notices or TaskNoticePolicy()
        self.cases_from_provisional_grades = cases_from_provisional_grades
        super().__init__(storage, session=session)

    def bind(self, session: AsyncSession) -> None:
        self.cases = CaseRepository(session)
        self.inspections = InspectionRepository(session)
        self.projections = ProjectionRepository(session)
        self.notices = NoticeRepository(session)
