"""Holders' objections to a published yearly result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import objections


async def add(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(objections).values(**values))


async def get(session: AsyncSession, objection_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = select(objections).where(objections.c.id == objection_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return dict(row._mapping) if row else None


async def decide(session: AsyncSession, objection_id: str, **values: Any) -> None:
    await session.execute(update(objections).where(objections.c.id == objection_id).values(**values))


async def listing(session: AsyncSession, run_id: str | None, state: str | None, parcel_id: str | None,
                  limit: int) -> list[dict[str, Any]]:
    query = select(objections).order_by(objections.c.submitted_at.desc()).limit(limit)
    for column, value in ((objections.c.run_id, run_id), (objections.c.state, state),
                          (objections.c.parcel_id, parcel_id)):
        if value is not None:
            query = query.where(column == value)
    return [dict(r._mapping) for r in (await session.execute(query)).all()]
