"""The advisory grading lock. Event-driven re-grading takes it shared; a yearly run and a
finalisation take it exclusively, so the run grades one consistent picture and no event-driven
grade is lost under it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

GRADING_LOCK = 0x6576_616C
_HELD_IN = "evaluation.grading_lock_held_in"


class GradingLock:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def share(self) -> None:
        """Shared, once per transaction: a consumer batch re-grades hundreds of parcels in one
        transaction. Inside a savepoint it is taken every time, since rolling the savepoint back
        releases a lock taken in it."""
        session = self.session
        transaction = session.sync_session.get_transaction()
        if not session.in_nested_transaction() and session.info.get(_HELD_IN) is transaction:
            return
        await session.execute(select(func.pg_advisory_xact_lock_shared(GRADING_LOCK)))
        if not session.in_nested_transaction():
            session.info[_HELD_IN] = transaction

    async def take(self) -> None:
        """Exclusive, until the transaction ends: no re-grade slips in meanwhile."""
        await self.session.execute(select(func.pg_advisory_xact_lock(GRADING_LOCK)))
