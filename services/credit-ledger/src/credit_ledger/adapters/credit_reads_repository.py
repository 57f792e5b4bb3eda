"""The audit log of credit-file reads in PostgreSQL."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import credit_reads
from credit_ledger.domain.reads import CreditRead


class CreditReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, reader: str, scopes: str, subject_ref: str, unmasked: bool) -> None:
        await self.session.execute(insert(credit_reads).values(
            reader=reader, scopes=scopes, subject_ref=subject_ref, unmasked=unmasked))

    async def latest(self, subject_ref: str | None, limit: int) -> list[CreditRead]:
        """Newest first; of one subject when given."""
        query = select(credit_reads).order_by(credit_reads.c.id.desc()).limit(limit)
        if subject_ref:
            query = query.where(credit_reads.c.subject_ref == subject_ref)
        return [CreditRead(r.reader, r.scopes, r.subject_ref, r.unmasked, r.read_at)
                for r in await self.session.execute(query)]
