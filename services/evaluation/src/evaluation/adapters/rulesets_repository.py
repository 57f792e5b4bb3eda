"""Rulesets stored as data: one immutable JSON document per id."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import rulesets
from evaluation.domain.ruleset import Ruleset
from evaluation.domain.ruleset_codec import ruleset_from_dict, ruleset_to_dict

# Parsed rulesets per database (engine). A stored ruleset never changes (`add` never overwrites,
# nothing updates or deletes one), so once read it is kept: every event-driven re-grade and every
# grade read needs its ruleset, and fetching and parsing the JSON document each time costs more
# than the grading itself.
_parsed: WeakKeyDictionary[Any, dict[str, Ruleset]] = WeakKeyDictionary()


class RulesetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._cache = _parsed.setdefault(session.bind, {})

    async def add(self, ruleset: Ruleset, created_by: str) -> bool:
        """Stores a new ruleset; False when the id exists already (rulesets never change once stored)."""
        inserted = await self.session.execute(insert(rulesets).values(
            id=ruleset.id, name=ruleset.name, document=ruleset_to_dict(ruleset),
            effective_from=ruleset.effective_from, effective_to=ruleset.effective_to, created_by=created_by,
        ).on_conflict_do_nothing().returning(rulesets.c.id))
        return inserted.first() is not None

    async def get(self, ruleset_id: str) -> Ruleset | None:
        if ruleset_id in self._cache:
            return self._cache[ruleset_id]
        document = await self.session.scalar(select(rulesets.c.document).where(rulesets.c.id == ruleset_id))
        if document is None:
            return None
        self._cache[ruleset_id] = ruleset = ruleset_from_dict(document)
        return ruleset

    async def all(self) -> list[Ruleset]:
        """Every stored ruleset; only those not read before are fetched whole."""
        ids = list((await self.session.scalars(select(rulesets.c.id).order_by(rulesets.c.id))).all())
        missing = [i for i in ids if i not in self._cache]
        if missing:
            rows = await self.session.execute(select(rulesets.c.id, rulesets.c.document)
                                              .where(rulesets.c.id.in_(missing)))
            for ruleset_id, document in rows:
                self._cache[ruleset_id] = ruleset_from_dict(document)
        return [self._cache[i] for i in ids if i in self._cache]

    async def listing(self) -> list[dict[str, Any]]:
        rows = (await self.session.execute(
            select(rulesets.c.id, rulesets.c.name, rulesets.c.effective_from, rulesets.c.effective_to,
                   rulesets.c.created_by, rulesets.c.created_at)
            .order_by(rulesets.c.effective_from, rulesets.c.id))).all()
        return [dict(r._mapping) for r in rows]
