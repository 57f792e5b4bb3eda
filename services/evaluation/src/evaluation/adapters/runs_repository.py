"""Yearly evaluation runs: state, progress and publication dates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import evaluation_runs as runs


class RunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, **values: Any) -> None:
        await self.session.execute(insert(runs).values(**values))

    async def get(self, run_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(runs).where(runs.c.id == run_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return dict(row._mapping) if row else None

    async def change(self, run_id: str, **values: Any) -> None:
        await self.session.execute(update(runs).where(runs.c.id == run_id).values(**values))

    async def listing(self, year: int | None, limit: int) -> list[dict[str, Any]]:
        query = select(runs).order_by(runs.c.created_at.desc()).limit(limit)
        if year is not None:
            query = query.where(runs.c.year == year)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]

    async def open_for_objection(self, year: int) -> dict[str, Any] | None:
        row = (await self.session.execute(select(runs).where(runs.c.year == year, runs.c.state == "published")
                                          .order_by(runs.c.published_at.desc()).limit(1))).first()
        return dict(row._mapping) if row else None

    async def supersede_others(self, run_id: str, year: int) -> None:
        """A newer run's draft replaces earlier drafts and publications of the same year."""
        await self.session.execute(update(runs).where(
            runs.c.year == year, runs.c.id != run_id, runs.c.state.in_(("draft", "published")),
        ).values(state="superseded"))

    async def interrupted(self) -> None:
        """Runs cut off by a restart: their transaction rolled back, so nothing of them was written."""
        await self.session.execute(update(runs).where(runs.c.state.in_(("queued", "running"))).values(
            state="failed", phase="failed", error="interrupted by a restart before it finished; start a new run"))
