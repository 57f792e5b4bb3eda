"""Notices to street offices and where each street office is reached: the shared statements about
the notices table (`servicekit.notice_store`) over this service's table, and the street contacts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.tables import notices, street_contacts
from enforcement.domain.notices import Notice, NoticeKind, NoticeStatus, StreetContact
from servicekit.notice_store import NoticeStore
from servicekit.notices import Contact


class NoticeRepository(NoticeStore[Notice]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, notices, _notice, _own_values)

    async def contact(self, street: str) -> Contact | None:
        row = (await self.session.execute(select(street_contacts).where(street_contacts.c.street == street))).first()
        return None if row is None else Contact(row.email, row.phone)

    async def set_contact(self, contact: StreetContact, by: str, at: datetime) -> None:
        values = {"street": contact.street, "email": contact.email, "phone": contact.phone, "updated_at": at,
                  "updated_by": by}
        statement = insert(street_contacts).values(**values)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["street"], set_={k: statement.excluded[k] for k in values if k != "street"}))


def _own_values(n: Notice) -> Mapping[str, Any]:
    return {"parcel_id": n.parcel_id, "task_id": n.task_id}


def _notice(row: Any) -> Notice:
    return Notice(row.notice_id, row.recipient, NoticeKind(row.kind), row.parcel_id, row.task_id, row.subject,
                  row.body, row.respond_by, row.created_at, NoticeStatus(row.status), row.attempts, row.last_error,
                  row.sent_at, row.channel)
