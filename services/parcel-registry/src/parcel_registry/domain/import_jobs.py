"""Import jobs: a large sheet imported in the background, its state kept in the ledger's database
so that any replica answers for it and another replica finishes it if its holder stops."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ImportJob:
    """A job as stored. `problems` holds the first listed problems of a refused sheet (each a
    mapping with `sheet`, `row`, `column` and `message` in Chinese and English);
    `problems_total` counts them all. The sheet itself is kept only until the job ends."""

    job_id: str
    state: JobState
    requested_by: str
    requested_at: datetime
    file_name: str
    sha256: str
    size_bytes: int
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    converted: list[dict[str, Any]] = field(default_factory=list)
    problems_total: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    failure: dict[str, str] | None = None

    @property
    def done(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)
