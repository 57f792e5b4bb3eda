"""Delivering notices, and where each enterprise is reached.

A notice is written with the fact that causes it (grading.py); the sender takes the waiting ones
in order, locked (`SKIP LOCKED`: replicas share the work, no notice goes out twice at once), and
marks each sent, or counts the failed attempt and gives up after `max_attempts`. A crash between
the channel accepting a notice and the commit sends it once more: delivery is at least once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from credit_ledger.adapters.notice_channels import Channel, NotDelivered
from credit_ledger.domain.notices import Contact, NoticeStatus
from credit_ledger.service_layer.access import ensure_acts_for
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from servicekit.auth import Principal
from servicekit.logging import get_logger


async def send_due(uow: CreditLedgerUnitOfWork, channel: Channel, clock: Callable[[], datetime],
                   max_attempts: int, batch: int = 50) -> int:
    """Sends the waiting notices; how many went out."""
    log, delivered = get_logger("notices"), 0
    async with uow:
        for seq, notice in await uow.notices.due(batch):
            contact = await uow.notices.contact(notice.recipient)
            try:
                await channel.send(contact, notice.recipient, notice.subject, notice.body)
            except NotDelivered as error:
                give_up = notice.attempts + 1 >= max_attempts
                await uow.notices.not_sent(seq, str(error), give_up)
                log.warning("notice_not_sent", notice_id=notice.notice_id, channel=channel.name,
                            error=str(error), gave_up=give_up)
                continue
            await uow.notices.sent(seq, channel.name, clock())
            delivered += 1
    return delivered


async def set_contact(uow: CreditLedgerUnitOfWork, contact: Contact, principal: Principal,
                      at: datetime) -> dict[str, Any]:
    ensure_acts_for(principal, contact.uscc)
    async with uow:
        await uow.notices.set_contact(contact, principal.subject, at)
    return {"uscc": contact.uscc, "email": contact.email, "phone": contact.phone, "updated_at": at}


async def notices_of(uow: CreditLedgerUnitOfWork, recipient: str, principal: Principal, after: int | None,
                     limit: int) -> dict[str, Any]:
    """One page of the recipient's notices, newest first; `next` continues with older ones. A token
    bound to an enterprise reads its own notices only."""
    ensure_acts_for(principal, recipient)
    async with uow:
        found = await uow.notices.of(recipient, after, limit + 1)
    page = found[:limit]
    return {
        "recipient": recipient,
        "items": [{"notice_id": n.notice_id, "kind": n.kind.value, "parcel_id": n.parcel_id, "subject": n.subject,
                   "body": n.body, "respond_by": n.respond_by, "created_at": n.created_at,
                   "status": n.status.value, "delivered": n.status is NoticeStatus.SENT, "sent_at": n.sent_at,
                   "channel": n.channel, "attempts": n.attempts, "last_error": n.last_error} for _, n in page],
        "next": page[-1][0] if len(found) > limit else None,
    }
