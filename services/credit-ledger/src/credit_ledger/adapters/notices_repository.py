"""Notices and the enterprises' contact addresses: the shared statements about the notices table
(`servicekit.notice_store`) over this service's table, and the enterprises' contacts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import notice_contacts, notices
from credit_ledger.domain.notices import Contact, Notice, NoticeKind, NoticeStatus
from servicekit.notice_store import NoticeStore
from servicekit.notices import Contact as Address


class NoticeRepository(NoticeStore[Notice]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, notices, _notice, _own_values)

    async def contact(self, uscc: str) -> Address | None:
        row = (await self.session.execute(select(notice_contacts).where(notice_contacts.c.uscc == uscc))).first()
        return None if row is None else Address(row.email, row.phone)

    async def set_contact(self, contact: Contact, by: str, at: datetime) -> None:
        values = {"uscc": contact.uscc, "email": contact.email, "phone": contact.phone, "updated_at": at,
                  "updated_by": by}
        statement = insert(notice_contacts).values(**values)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["uscc"], set_={k: statement.excluded[k] for k in values if k != "uscc"}))


def _own_values(n: Notice) -> Mapping[str, Any]:
    return {"parcel_id": n.parcel_id}


def _notice(row: Any) -> Notice:
    return Notice(row.notice_id, row.recipient, NoticeKind(row.kind), row.parcel_id, row.subject, row.body,
                  row.respond_by, row.created_at, NoticeStatus(row.status), row.attempts, row.last_error,
                  row.sent_at, row.channel)
