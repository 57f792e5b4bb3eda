"""What the handlers need, built once by the composition root."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.grading_lock import ANY_YEAR, GRADING_LOCK
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork, utc_now
from landgrade_reference.official_calendar import OfficialCalendar
from servicekit.read_cache import ReadCache
from servicekit.uow import Storage

__all__ = ["ANY_YEAR", "GRADING_LOCK", "EvaluationContext", "bulk_work", "utc_now"]


def _unobserved(run_id: str, values: Mapping[str, Any]) -> None:
    return None


@dataclass
class EvaluationContext:
    storage: Storage
    clock: Callable[[], datetime] = field(default=utc_now)
    calendar: OfficialCalendar = field(default_factory=OfficialCalendar)
    grade_reads: ReadCache = field(default_factory=ReadCache)  # serves nothing until its feed is live
    # Told each committed change of a yearly run (its state, graded and total): the metrics' hook,
    # which alerting reads for runs that fail.
    run_progress: Callable[[str, Mapping[str, Any]], None] = field(default=_unobserved)
    # Yearly runs working in the background, cancelled at shutdown.
    run_tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def uow(self) -> EvaluationUnitOfWork:
        return EvaluationUnitOfWork(self.storage, clock=self.clock, calendar=self.calendar)

    def uow_on(self, session: AsyncSession) -> EvaluationUnitOfWork:
        return EvaluationUnitOfWork(self.storage, session=session, clock=self.clock, calendar=self.calendar)

    def wake_relay(self) -> None:
        """A long transaction wrote events in bulk and committed: the relay may publish them now."""
        self.storage.outbox.written.set()


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pauses the cycle collector while a year's worth of objects is built: its repeated full
    scans of a growing heap would otherwise double the time of a run. Reference counting still
    frees everything; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
