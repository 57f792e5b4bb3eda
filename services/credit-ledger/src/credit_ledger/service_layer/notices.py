"""Where each enterprise is reached, and its notices as it reads them.

A notice is written with the fact that causes it (grading.py); `servicekit.notices.send_due`
delivers the waiting ones (at least once).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from credit_ledger.domain.notices import Contact, NoticeStatus
from credit_ledger.service_layer.access import ensure_acts_for
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from servicekit.auth import Principal


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
