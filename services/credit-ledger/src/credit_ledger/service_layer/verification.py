"""Recomputes the whole chain from what is stored and names the first broken record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import ledger
from credit_ledger.domain.chain import Anchor, ChainedRecord, Verification, verify


def _chained(row: Any) -> ChainedRecord:
    try:
        return ledger.to_chained(row)
    except (ValueError, TypeError, KeyError) as error:
        # A column edited into something unreadable is an edit like any other: it cannot match.
        return ChainedRecord(row.sequence, row.prev_hash, row.hash, {"unreadable": repr(error)})


async def verify_ledger(session: AsyncSession, chunk_size: int = 2000) -> tuple[Verification, int]:
    """(result, number of anchors checked). The head row is checked like a published anchor."""
    head = await ledger.read_head(session)
    anchors = await ledger.anchors(session)
    if head.sequence > 0:
        anchors = [*(a for a in anchors if a.sequence != head.sequence), head]
    start: Anchor | None = None
    checked = 0
    async for rows in ledger.chunks(session, chunk_size):
        done = start.sequence if start else 0
        relevant = [a for a in anchors if done < a.sequence <= rows[-1].sequence]
        result = verify([_chained(r) for r in rows], relevant, start)
        checked += result.checked
        if not result.ok:
            return Verification(False, checked, result.head, result.broken_at, result.problem,
                                result.detail), len(anchors)
        start = result.head
    done = start.sequence if start else 0
    tail = verify([], [a for a in anchors if a.sequence > done], start)
    return Verification(tail.ok, checked, start, tail.broken_at, tail.problem, tail.detail), len(anchors)
