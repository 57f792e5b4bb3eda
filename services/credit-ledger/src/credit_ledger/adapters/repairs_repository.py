"""Credit repair and objection applications in PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import repairs
from credit_ledger.domain.repairs import Repair, RepairApplication, RepairKind, RepairStatus


class RepairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, application: RepairApplication, applied_by: str) -> None:
        await self.session.execute(insert(repairs).values(
            repair_id=application.repair_id, kind=application.kind.value, subject_ref=application.subject_ref,
            record_id=application.record_id, evidence=list(application.evidence), statement=application.statement,
            status=application.status.value, applied_by=applied_by, applied_at=application.applied_at,
        ))

    async def get(self, repair_id: str, *, lock: bool = False) -> Repair | None:
        """The application; `lock` holds it until the transaction ends (one decision at a time)."""
        query = select(repairs).where(repairs.c.repair_id == repair_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return _repair(row) if row is not None else None

    async def decide(self, repair_id: str, status: RepairStatus, decided_by: str, decided_at: datetime,
                     note: str | None) -> None:
        await self.session.execute(update(repairs).where(repairs.c.repair_id == repair_id).values(
            status=status.value, decided_by=decided_by, decided_at=decided_at, decision_note=note))


def _repair(row: Any) -> Repair:
    application = RepairApplication(
        repair_id=row.repair_id, kind=RepairKind(row.kind), subject_ref=row.subject_ref,
        record_id=row.record_id, evidence=tuple(row.evidence), statement=row.statement,
        applied_at=row.applied_at, status=RepairStatus(row.status),
    )
    return Repair(application, row.applied_by, row.decided_by, row.decided_at, row.decision_note)
