"""Writing and reading the ledger's history (`ledger_history`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.tables import ledger_history
from parcel_registry.domain.history import Act, HistoryEntry


def _entry(row: Any) -> HistoryEntry:
    act = Act(row["actor"], row["recorded_at"], row["reason"], row["reference"])
    return HistoryEntry(row["subject"], row["key"], row["kind"], act, row["changes"], row["effective_on"],
                        row["entry_id"])


class HistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, *entries: HistoryEntry) -> None:
        if not entries:
            return
        await self.session.execute(insert(ledger_history), [
            {"subject": e.subject, "key": e.key, "kind": e.kind, "recorded_at": e.act.at, "actor": e.act.actor,
             "reason": e.act.reason, "reference": e.act.reference, "effective_on": e.effective_on,
             "changes": dict(e.changes)}
            for e in entries])

    async def entries(self, subject: str, key: str, *, before: int | None, limit: int) -> list[HistoryEntry]:
        """Newest first; `before`: only entries older than that entry id."""
        query = select(ledger_history).where(ledger_history.c.subject == subject, ledger_history.c.key == key)
        if before is not None:
            query = query.where(ledger_history.c.entry_id < before)
        rows = (await self.session.execute(
            query.order_by(ledger_history.c.entry_id.desc()).limit(limit))).mappings().all()
        return [_entry(r) for r in rows]
