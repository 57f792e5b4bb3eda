"""Rulesets stored as data: one immutable JSON document per id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import rulesets
from evaluation.domain.ruleset import Ruleset
from evaluation.domain.ruleset_codec import ruleset_from_dict, ruleset_to_dict


async def add(session: AsyncSession, ruleset: Ruleset, created_by: str) -> bool:
    """Stores a new ruleset; False when the id exists already (rulesets never change once stored)."""
    inserted = await session.execute(insert(rulesets).values(
        id=ruleset.id, name=ruleset.name, document=ruleset_to_dict(ruleset),
        effective_from=ruleset.effective_from, effective_to=ruleset.effective_to, created_by=created_by,
    ).on_conflict_do_nothing().returning(rulesets.c.id))
    return inserted.first() is not None


async def get(session: AsyncSession, ruleset_id: str) -> Ruleset | None:
    document = await session.scalar(select(rulesets.c.document).where(rulesets.c.id == ruleset_id))
    return ruleset_from_dict(document) if document is not None else None


async def all_rulesets(session: AsyncSession) -> list[Ruleset]:
    return [ruleset_from_dict(d) for d in (await session.scalars(select(rulesets.c.document))).all()]


async def listing(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.execute(select(rulesets.c.id, rulesets.c.name, rulesets.c.effective_from,
                                         rulesets.c.effective_to, rulesets.c.created_by, rulesets.c.created_at)
                                  .order_by(rulesets.c.effective_from, rulesets.c.id))).all()
    return [dict(r._mapping) for r in rows]
