"""What the handlers and queries need, assembled once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.domain.due_periods import DuePolicy
from enforcement.domain.evidence import EvidencePolicy
from enforcement.domain.notices import TaskNoticePolicy
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from servicekit.uow import Storage


@dataclass(frozen=True)
class Context:
    storage: Storage
    evidence_store: EvidenceStore
    evidence_policy: EvidencePolicy
    due_policy: DuePolicy
    clock: Callable[[], datetime]
    cases_from_provisional_grades: bool = True
    task_notices: TaskNoticePolicy = field(default_factory=TaskNoticePolicy)

    def uow(self) -> EnforcementUnitOfWork:
        """A unit of work that opens and commits its own transaction (commands, queries, jobs)."""
        return EnforcementUnitOfWork(self.storage, clock=self.clock, due_policy=self.due_policy,
                                     cases_from_provisional_grades=self.cases_from_provisional_grades,
                                     task_notices=self.task_notices)

    def uow_on(self, session: AsyncSession) -> EnforcementUnitOfWork:
        """A unit of work joined to the inbox's transaction (event handlers)."""
        return EnforcementUnitOfWork(self.storage, session=session, clock=self.clock, due_policy=self.due_policy,
                                     cases_from_provisional_grades=self.cases_from_provisional_grades,
                                     task_notices=self.task_notices)


@dataclass(frozen=True)
class Caller:
    """Who is asking. `jurisdiction` binds a street office or town to its own area;
    `unrestricted` (the admin scope) sees and acts everywhere."""

    subject: str
    jurisdiction: str | None = None
    unrestricted: bool = False

    @property
    def area(self) -> str | None:
        """The area reads are limited to, or None for all areas."""
        return None if self.unrestricted else self.jurisdiction
