"""Yearly evaluation runs: state, progress and publication dates; re-evaluations of final years."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import evaluation_runs as runs
from evaluation.adapters.tables import re_evaluations


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

    async def final_for(self, year: int) -> dict[str, Any] | None:
        """The run that made the year's grades final, if one did."""
        row = (await self.session.execute(select(runs).where(runs.c.year == year, runs.c.state == "final")
                                          .order_by(runs.c.finalized_at.desc()).limit(1))).first()
        return dict(row._mapping) if row else None

    async def latest_year(self) -> int | None:
        """The latest year that has a run that graded it (draft, published or final)."""
        year = await self.session.scalar(select(func.max(runs.c.year)).where(
            runs.c.state.in_(("draft", "published", "final"))))
        return int(year) if year is not None else None

    async def add_re_evaluation(self, **values: Any) -> None:
        await self.session.execute(insert(re_evaluations).values(**values))

    async def re_evaluations(self, year: int) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(re_evaluations).where(re_evaluations.c.year == year)
                                           .order_by(re_evaluations.c.requested_at.desc()))).all()
        return [dict(r._mapping) for r in rows]

    async def supersede_others(self, run_id: str, year: int) -> None:
        """A newer run's draft replaces earlier drafts and publications of the same year."""
        await self.session.execute(update(runs).where(
            runs.c.year == year, runs.c.id != run_id, runs.c.state.in_(("draft", "published")),
        ).values(state="superseded"))

    async def interrupted(self) -> None:
        """Runs cut off by a restart: their transaction rolled back, so nothing of them was written."""
        await self.session.execute(update(runs).where(runs.c.state.in_(("queued", "running"))).values(
            state="failed", phase="failed", error="interrupted by a restart before it finished; start a new run"))
