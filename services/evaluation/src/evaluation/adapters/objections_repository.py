"""Holders' objections to a published yearly result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import objections


class ObjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(insert(objections).values(**values))

    async def get(self, objection_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(objections).where(objections.c.id == objection_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return dict(row._mapping) if row else None

    async def decide(self, objection_id: str, **values: Any) -> None:
        await self.session.execute(update(objections).where(objections.c.id == objection_id).values(**values))

    async def pending(self, run_id: str) -> list[str]:
        """Ids of the run's objections still awaiting a decision."""
        return list((await self.session.scalars(select(objections.c.id).where(
            objections.c.run_id == run_id, objections.c.state == "submitted"))).all())

    async def listing(self, run_id: str | None, state: str | None, parcel_id: str | None,
                      limit: int, holder: str | None = None) -> list[dict[str, Any]]:
        query = select(objections).order_by(objections.c.submitted_at.desc()).limit(limit)
        for column, value in ((objections.c.run_id, run_id), (objections.c.state, state),
                              (objections.c.parcel_id, parcel_id), (objections.c.holder_uscc, holder)):
            if value is not None:
                query = query.where(column == value)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]
