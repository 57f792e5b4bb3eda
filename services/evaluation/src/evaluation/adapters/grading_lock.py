"""The advisory grading locks: one per year, and one for facts whose years are not known up front.

- Re-grading a year known from the fact (a filing, an objection's decision) takes that year's
  lock shared.
- Re-grading after a fact that may touch any year (a parcel, lease, enterprise, finding or case)
  takes the any-year lock shared, and only then reads which years it touches.
- A yearly run, a finalisation and a re-evaluation of a year take the any-year lock and that
  year's lock exclusively, until their transaction ends: the run grades one consistent picture
  and no re-grade is lost under it, while the filings of every other year go on being graded.

Every lock is a two-key advisory lock of class `GRADING_LOCK` (the year, or `ANY_YEAR`), so it
never meets the parcels' locks of another class.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from sqlalchemy import exc, func, select
from sqlalchemy.ext.asyncio import AsyncSession

GRADING_LOCK = 0x6576_616C
ANY_YEAR = 0
_HELD_IN = "evaluation.grading_locks_held_in"
# A transaction that re-grades a filing's year and then a parcel's years can meet an exclusive
# taker in the other order; PostgreSQL then ends one of the two. The taker tries again.
_DEADLOCK = "40P01"
_TAKE_ATTEMPTS = 5


class GradingLock:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def share(self, years: Iterable[int]) -> None:
        """Each year's lock shared, in ascending order, once per transaction: a consumer batch
        re-grades hundreds of parcels in one transaction. Inside a savepoint a lock is taken every
        time, since rolling the savepoint back releases a lock taken in it."""
        for key in sorted(set(years)):
            await self._share(key)

    async def share_any_year(self) -> None:
        """Shared, before reading which years a fact touches."""
        await self._share(ANY_YEAR)

    async def take(self, year: int) -> None:
        """Exclusive on the any-year lock and `year`'s, until the transaction ends."""
        for attempt in range(1, _TAKE_ATTEMPTS + 1):
            try:
                async with self.session.begin_nested():  # a lost deadlock releases what it took
                    await self.session.execute(select(func.pg_advisory_xact_lock(GRADING_LOCK, ANY_YEAR)))
                    await self.session.execute(select(func.pg_advisory_xact_lock(GRADING_LOCK, year)))
                return
            except exc.DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) != _DEADLOCK or attempt == _TAKE_ATTEMPTS:
                    raise
                await asyncio.sleep(0.05 * attempt)

    async def _share(self, key: int) -> None:
        session = self.session
        nested = session.in_nested_transaction()
        transaction = session.sync_session.get_transaction()
        held_in, held = session.info.get(_HELD_IN, (None, set()))
        if held_in is not transaction:
            held = set()
        if not nested and key in held:
            return
        await session.execute(select(func.pg_advisory_xact_lock_shared(GRADING_LOCK, key)))
        if not nested:
            held.add(key)
            session.info[_HELD_IN] = (transaction, held)
