"""Import jobs: a sheet over the job thresholds is kept in the database and imported by whichever
replica claims it; the requester polls its state.

The import itself is one transaction, and the job is marked succeeded in that same transaction
only while this replica still holds it: a job taken over from a replica that stopped
heartbeating is imported once, never half."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.errors import NotFound
from parcel_registry.domain.import_jobs import ImportJob, JobState
from parcel_registry.service_layer.parcels import (
    ImportLimits,
    ImportRefused,
    ImportTooLarge,
    TooManyRows,
    UnreadableFile,
    check_sheet,
    write_import,
)
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.idempotency import IdempotentRequest
from servicekit.logging import get_logger

log = get_logger("import_jobs")


@dataclass(frozen=True)
class JobSettings:
    """When a sheet becomes a job, and how replicas run jobs (the service's `import_job_*` settings)."""

    min_bytes: int = 1024 * 1024
    min_rows: int = 2_000
    run_here: bool = True
    poll_seconds: float = 1.0
    heartbeat_seconds: float = 5.0
    stale_seconds: float = 30.0
    max_attempts: int = 3

    def wants_job(self, size_bytes: int, rows: int | None = None) -> bool:
        return size_bytes > self.min_bytes or (rows is not None and rows > self.min_rows)


async def submit(uow: RegistryUnitOfWork, data: bytes, file_name: str, requested_by: str,
                 idempotency: IdempotentRequest | None = None) -> ImportJob:
    """A queued job for the sheet (or, under a replayed Idempotency-Key, the job made the first time)."""
    digest = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())  # megabytes: off the loop
    async with uow:
        if (earlier := await uow.replayed(idempotency)) is not None:
            found = await uow.import_jobs.get(str(earlier[1]["job_id"]))
            if found is None:
                raise NotFound("import-job", str(earlier[1]["job_id"]))
            return found
        job = await uow.import_jobs.add(str(uuid.uuid4()), requested_by, file_name[:255], digest, data)
        await uow.remember(idempotency, 202, {"job_id": job.job_id})
    return job


async def job(uow: RegistryUnitOfWork, job_id: str) -> ImportJob:
    async with uow:
        found = await uow.import_jobs.get(job_id)
    if found is None:
        raise NotFound("import-job", job_id)
    return found


async def jobs_of(uow: RegistryUnitOfWork, subject: str, limit: int) -> list[ImportJob]:
    async with uow:
        return await uow.import_jobs.requested_by(subject, limit)


def problem_rows(refused: ImportRefused) -> list[dict[str, Any]]:
    return [{"sheet": e.sheet, "row": e.row, "column": e.header or e.column, "field": e.column,
             "message": {"zh": e.message[0], "en": e.message[1]}} for e in refused.errors[: refused.listed]]


def _failure(error: Exception) -> dict[str, str]:
    kinds = {UnreadableFile: "unreadable-file", TooManyRows: "import-too-many-rows",
             ImportTooLarge: "import-too-large", ImportRefused: "import-refused"}
    kind = next((k for t, k in kinds.items() if isinstance(error, t)), "import-failed")
    return {"type": f"https://landgrade.example/problems/{kind}", "detail": str(error)}


@dataclass
class JobWorker:
    """Claims and runs import jobs on one replica (a background job of the service)."""

    uow: Callable[[], RegistryUnitOfWork]
    rules: EquityRules
    limits: ImportLimits
    settings: JobSettings
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, stop: asyncio.Event) -> None:
        if not self.settings.run_here:
            return
        while not stop.is_set():
            try:
                while await self.run_once():
                    pass
            except Exception as error:  # the database may be away: try again on the next poll
                log.warning("import_job_poll_failed", error=repr(error))
            self.wake.clear()
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            await asyncio.wait(waits, timeout=self.settings.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()

    async def run_once(self) -> bool:
        """Claims one job and runs it to its end; False when there was none to claim."""
        async with (uow := self.uow()):
            claimed = await uow.import_jobs.claim(self.holder, self.settings.stale_seconds)
        if claimed is None:
            return False
        job_id, attempts = claimed
        log.info("import_job_claimed", job_id=job_id, attempts=attempts)
        beating = asyncio.create_task(self._beat(job_id))
        try:
            await self._run(job_id, attempts)
        finally:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)
        return True

    async def _beat(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            try:
                async with (uow := self.uow()):
                    if not await uow.import_jobs.beat(job_id, self.holder):
                        return
            except Exception as error:  # a missed beat is retried; the job is taken over if they all fail
                log.warning("import_job_heartbeat_failed", job_id=job_id, error=repr(error))

    async def _end(self, job_id: str, state: JobState, **outcome: Any) -> None:
        async with (uow := self.uow()):
            await uow.import_jobs.finish(job_id, self.holder, state, **outcome)

    async def _run(self, job_id: str, attempts: int) -> None:
        if attempts > self.settings.max_attempts:  # its holders stopped each time: never tried again
            await self._end(job_id, JobState.FAILED, failure={
                "type": "https://landgrade.example/problems/import-failed",
                "detail": f"the import was started {attempts - 1} times and never finished"})
            return
        async with (uow := self.uow()):
            data = await uow.import_jobs.content(job_id, self.holder)
        if data is None:
            return
        try:
            result, columns = await asyncio.to_thread(check_sheet, data, self.limits)
        except ImportRefused as refused:
            await self._end(job_id, JobState.FAILED, problems_total=len(refused.errors),
                            problems=problem_rows(refused), failure=_failure(refused))
            return
        except (UnreadableFile, TooManyRows, ImportTooLarge) as bad:
            await self._end(job_id, JobState.FAILED, failure=_failure(bad))
            return
        try:
            async with (uow := self.uow()):
                counts = await write_import(uow, result, self.rules, columns)
                if not await uow.import_jobs.finish(job_id, self.holder, JobState.SUCCEEDED,
                                                    counts={"imported": len(result.parcels), **counts},
                                                    converted=[c.view() for c in result.converted]):
                    raise LostJob(job_id)  # rolls the import back: the replica that holds it now imports it
        except ImportRefused as refused:  # rows the ledger rules out (an ended parcel changed)
            await self._end(job_id, JobState.FAILED, problems_total=len(refused.errors),
                            problems=problem_rows(refused), failure=_failure(refused))
            return
        log.info("import_job_succeeded", job_id=job_id, imported=len(result.parcels))


class LostJob(RuntimeError):
    """Another replica took the job over while this one was importing it."""
