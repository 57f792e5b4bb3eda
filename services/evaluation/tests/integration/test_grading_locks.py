"""A yearly run (or a finalisation) of one year holds up the re-grades that may touch that year,
and only those: the filings of every other year go on being graded meanwhile."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from evaluation.adapters.grading_lock import ANY_YEAR, GRADING_LOCK, GradingLock
from landgrade.testing import eventually

YEAR, RUN_YEAR = 2025, 2024


def pid() -> str:
    return f"P-{uuid.uuid4().hex[:10]}"


async def _waiting_on(service, key: int, mode: str | None = None) -> bool:  # type: ignore[no-untyped-def]
    """Whether a session waits for the grading lock `key` (a year, or the any-year lock), in `mode`
    (ExclusiveLock: to take it; any mode when None)."""
    async with service.ctx.uow() as uow:
        found = await uow.session.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = :class AND objid = :key AND objsubid = 2 AND mode = coalesce(:mode, mode)"),
            {"class": GRADING_LOCK, "key": key, "mode": mode})
        return bool(found.scalar_one())


async def test_a_run_holds_up_the_filings_of_its_year_and_not_of_other_years(service) -> None:
    graded_first, held = pid(), pid()
    holder = service.uscc()
    await service.parcel(graded_first, holder)
    await service.parcel(held, holder)
    await service.grade_becomes(held, "B", YEAR)  # both parcels known before the run begins

    async with service.ctx.uow() as run:  # what a run of RUN_YEAR holds, taken the way it takes it
        await GradingLock(run.session).take(RUN_YEAR)

        await service.filing(graded_first, holder, YEAR, "900000000", "90000000")
        a = await service.grade_becomes(graded_first, "A", YEAR)
        assert a["metrics"]["output_value"] == "900000000.00"  # another year: graded during the run

        await service.filing(held, holder, RUN_YEAR, "900000000", "90000000")
        assert await eventually(lambda: _waiting_on(service, RUN_YEAR), timeout=30)
        assert await service.grade(held, RUN_YEAR) is None  # the run's year waits for the run

        await run.session.rollback()  # the run ends: what waited is graded now
    await service.grade_becomes(held, "A", RUN_YEAR)


async def test_a_fact_of_unknown_years_waits_for_any_run(service) -> None:
    parcel, holder = pid(), service.uscc()
    async with service.ctx.uow() as run:
        await GradingLock(run.session).take(RUN_YEAR)
        await service.parcel(parcel, holder)  # which years it touches is read under the any-year lock
        assert await eventually(lambda: _waiting_on(service, ANY_YEAR), timeout=30)
        assert await service.grade(parcel, YEAR) is None
        await run.session.rollback()
    await service.grade_becomes(parcel, "B", YEAR)


async def test_a_run_that_loses_a_deadlock_to_a_consumer_batch_takes_its_locks_again(service) -> None:
    """A consumer batch re-grades a filing of the run's year, then a fact of unknown years: it holds
    the year shared and asks for the any-year lock, which the run holds while it waits for the year.
    PostgreSQL ends one of the two; when it is the run, the run takes its locks again."""
    async with service.ctx.uow() as batch:
        # The batch's wait is checked for a deadlock later than the run's: the run is the one ended.
        await batch.session.execute(text("SET LOCAL deadlock_timeout = '20s'"))
        await GradingLock(batch.session).share([RUN_YEAR])
        async with service.ctx.uow() as run:
            taking = asyncio.create_task(GradingLock(run.session).take(RUN_YEAR))
            assert await eventually(lambda: _waiting_on(service, RUN_YEAR, "ExclusiveLock"), timeout=30)
            await GradingLock(batch.session).share_any_year()  # granted once the run lets go
            assert not taking.done()  # the run waits again, now behind the batch
            await batch.session.commit()
            await asyncio.wait_for(taking, timeout=30)  # and then holds both
            assert not await _waiting_on(service, RUN_YEAR, "ExclusiveLock")
