"""Periodic anchors: the chain head is published, so a rewrite of history cannot go unnoticed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from credit_ledger.adapters import ledger
from credit_ledger.adapters.tables import ledger_anchors
from credit_ledger.domain.chain import Anchor
from landgrade_events.credit import LedgerAnchored
from servicekit.db import Database
from servicekit.logging import get_logger
from servicekit.outbox import Outbox


async def anchor_if_advanced(db: Database, outbox: Outbox) -> Anchor | None:
    """Anchors the current head when records were appended since the last anchor."""
    async with db.transaction() as session:
        head = await ledger.read_head(session)
        last = await session.scalar(select(func.coalesce(func.max(ledger_anchors.c.sequence), 0)))
        if head.sequence <= (last or 0):
            return None
        stored = await session.execute(
            insert(ledger_anchors).values(sequence=head.sequence, head_hash=head.head_hash)
            .on_conflict_do_nothing().returning(ledger_anchors.c.sequence)
        )
        if stored.first() is None:  # another replica anchored this head a moment ago
            return None
        await outbox.add(session, LedgerAnchored(seq=head.sequence, head_hash=head.head_hash,
                                                 at=datetime.now(UTC)))
        return head


def anchor_job(db: Database, outbox: Outbox, interval_seconds: float) -> Callable[[asyncio.Event], Awaitable[None]]:
    log = get_logger("anchoring")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            except TimeoutError:
                pass
            if stop.is_set():
                return
            anchored = await anchor_if_advanced(db, outbox)
            if anchored is not None:
                log.info("ledger_anchored", seq=anchored.sequence, head_hash=anchored.head_hash)

    return run
