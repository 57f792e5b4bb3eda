"""What the handlers need, built once by the composition root."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from servicekit.db import Database
from servicekit.outbox import Outbox
from servicekit.read_cache import ReadCache

# Event-driven re-grading takes this advisory lock shared; a yearly run takes it exclusively, so
# the run grades one consistent picture and no event-driven grade is lost under it.
GRADING_LOCK = 0x6576_616C


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class EvaluationContext:
    db: Database
    outbox: Outbox
    clock: Callable[[], datetime] = field(default=utc_now)
    grade_reads: ReadCache = field(default_factory=ReadCache)  # serves nothing until its feed is live


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
