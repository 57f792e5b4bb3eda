"""Import jobs in the database: every SQL statement of the job queue.

Replicas claim queued jobs with `FOR UPDATE SKIP LOCKED`, so two never take the same one; a
running job whose heartbeat (database time, so replicas' clocks do not matter) is older than the
stale limit is taken over. Every change of a running job names its holder, so a replica that has
lost its job changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.tables import import_jobs
from parcel_registry.domain.import_jobs import ImportJob, JobState

_VIEW = [c for c in import_jobs.c if c.name not in ("content", "holder", "heartbeat_at")]


def _job(row: Any) -> ImportJob:
    values = dict(row)
    values["state"] = JobState(values["state"])
    return ImportJob(**values)


class ImportJobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job_id: str, requested_by: str, file_name: str, sha256: str, content: bytes) -> ImportJob:
        """A queued job holding the sheet until it ends."""
        row = (await self.session.execute(
            insert(import_jobs).values(
                job_id=job_id, state=JobState.QUEUED.value, requested_by=requested_by, file_name=file_name,
                sha256=sha256, size_bytes=len(content), content=content,
            ).returning(*_VIEW))).mappings().one()
        return _job(row)

    async def get(self, job_id: str) -> ImportJob | None:
        row = (await self.session.execute(select(*_VIEW).where(import_jobs.c.job_id == job_id))).mappings().first()
        return None if row is None else _job(row)

    async def requested_by(self, subject: str, limit: int) -> list[ImportJob]:
        rows = (await self.session.execute(
            select(*_VIEW).where(import_jobs.c.requested_by == subject)
            .order_by(import_jobs.c.requested_at.desc(), import_jobs.c.job_id).limit(limit))).mappings()
        return [_job(r) for r in rows]

    async def claim(self, holder: str, stale_seconds: float) -> tuple[str, int] | None:
        """The oldest job that is queued, or running without a heartbeat for `stale_seconds`,
        now held by `holder`: (job id, attempts so far, this one included)."""
        stale = func.now() - timedelta(seconds=stale_seconds)
        found = (await self.session.execute(
            select(import_jobs.c.job_id)
            .where(or_(import_jobs.c.state == JobState.QUEUED.value,
                       and_(import_jobs.c.state == JobState.RUNNING.value, import_jobs.c.heartbeat_at < stale)))
            .order_by(import_jobs.c.requested_at).limit(1)
            .with_for_update(skip_locked=True))).scalar()
        if found is None:
            return None
        row = (await self.session.execute(
            update(import_jobs).where(import_jobs.c.job_id == found)
            .values(state=JobState.RUNNING.value, holder=holder, heartbeat_at=func.now(),
                    attempts=import_jobs.c.attempts + 1,
                    started_at=func.coalesce(import_jobs.c.started_at, func.now()))
            .returning(import_jobs.c.attempts))).scalar_one()
        return found, int(row)

    async def content(self, job_id: str, holder: str) -> bytes | None:
        return (await self.session.execute(
            select(import_jobs.c.content).where(import_jobs.c.job_id == job_id, import_jobs.c.holder == holder,
                                                import_jobs.c.state == JobState.RUNNING.value))).scalar()

    async def beat(self, job_id: str, holder: str) -> bool:
        """Renews the heartbeat; False once the job is no longer this holder's."""
        done = await self.session.execute(
            update(import_jobs).where(import_jobs.c.job_id == job_id, import_jobs.c.holder == holder,
                                      import_jobs.c.state == JobState.RUNNING.value)
            .values(heartbeat_at=func.now()).returning(import_jobs.c.job_id))
        return done.first() is not None

    async def finish(self, job_id: str, holder: str, state: JobState, **outcome: Any) -> bool:
        """Ends a running job held by `holder` (the sheet is dropped); False if it is not held."""
        done = await self.session.execute(
            update(import_jobs).where(import_jobs.c.job_id == job_id, import_jobs.c.holder == holder,
                                      import_jobs.c.state == JobState.RUNNING.value)
            .values(state=state.value, finished_at=func.now(), content=None, heartbeat_at=None, **outcome)
            .returning(import_jobs.c.job_id))
        return done.first() is not None
