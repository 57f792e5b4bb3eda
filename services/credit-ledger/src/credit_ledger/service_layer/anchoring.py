"""Anchors: the chain head is stored and published, so a rewrite of history cannot go unnoticed."""

from __future__ import annotations

from datetime import datetime

from credit_ledger.domain.chain import Anchor
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.credit import LedgerAnchored
from servicekit.logging import get_logger


async def anchor_if_advanced(uow: CreditLedgerUnitOfWork, at: datetime) -> Anchor | None:
    """Anchors the current head when records were appended since the last anchor; the anchor, or
    None when there was nothing new (or another replica anchored this head a moment ago)."""
    async with uow:
        head = await uow.ledger.read_head()
        if head.sequence <= await uow.ledger.anchored_up_to():
            return None
        if not await uow.ledger.add_anchor(head):
            return None
        await uow.emit(LedgerAnchored(seq=head.sequence, head_hash=head.head_hash, at=at))
    get_logger("anchoring").info("ledger_anchored", seq=head.sequence, head_hash=head.head_hash)
    return head
