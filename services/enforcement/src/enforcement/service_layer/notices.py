"""A street office's notices as it reads them, and where each street office is reached. The
notices are written with the tasks that cause them (projections.py) and delivered by
`servicekit.notices.send_due` (at least once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from enforcement.domain.errors import OutsideJurisdiction
from enforcement.domain.notices import NoticeStatus, StreetContact, recipient_of
from enforcement.service_layer.context import Caller
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_reference.jurisdictions import same_jurisdiction


def _own_street(caller: Caller, street: str | None) -> str | None:
    """The street a request is about: a token bound to a street may name its own only (or none, for
    its own); for a token that sees every area, None is every street."""
    area = caller.area
    if street is None:
        return None if area is None else recipient_of(area)
    if area is not None and not same_jurisdiction(area, street):
        raise OutsideJurisdiction(f"this token acts for {area} only", f"此令牌只能处理{area}的通知")
    return recipient_of(street)


async def notices_of(uow: EnforcementUnitOfWork, street: str | None, caller: Caller, after: int | None,
                     limit: int) -> dict[str, Any]:
    """One page of the street office's notices (every street's, for staff naming none), newest
    first; `next` continues with older ones."""
    recipient = _own_street(caller, street)
    async with uow:
        found = await uow.notices.of(recipient, after, limit + 1)
    page = found[:limit]
    return {
        "recipient": recipient,
        "items": [{"notice_id": n.notice_id, "recipient": n.recipient, "kind": n.kind.value,
                   "parcel_id": n.parcel_id, "task_id": n.task_id, "subject": n.subject, "body": n.body,
                   "respond_by": n.respond_by, "created_at": n.created_at,
                   "status": n.status.value, "delivered": n.status is NoticeStatus.SENT, "sent_at": n.sent_at,
                   "channel": n.channel, "attempts": n.attempts, "last_error": n.last_error} for _, n in page],
        "next": page[-1][0] if len(found) > limit else None,
    }


async def set_contact(uow: EnforcementUnitOfWork, street: str, email: str | None, phone: str | None,
                      caller: Caller, at: datetime) -> dict[str, Any]:
    own = _own_street(caller, street)
    assert own is not None  # a street was named
    contact = StreetContact(own, email, phone)
    async with uow:
        await uow.notices.set_contact(contact, caller.subject, at)
    return {"street": contact.street, "email": contact.email, "phone": contact.phone, "updated_at": at}
