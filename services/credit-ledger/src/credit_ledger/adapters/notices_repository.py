"""Notices and the enterprises' contact addresses: every SQL statement about them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import notice_contacts, notices
from credit_ledger.domain.notices import Contact, Notice, NoticeKind, NoticeStatus
from servicekit.notices import Contact as Address


class NoticeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, written: Sequence[Notice]) -> None:
        """Keeps each notice once: the same cause applied again writes nothing."""
        if not written:
            return
        await self.session.execute(insert(notices).on_conflict_do_nothing(index_elements=["notice_id"]), [
            {"notice_id": n.notice_id, "recipient": n.recipient, "kind": n.kind.value, "parcel_id": n.parcel_id,
             "subject": n.subject, "body": n.body, "respond_by": n.respond_by, "created_at": n.created_at,
             "status": n.status.value, "attempts": 0} for n in written])

    async def of(self, recipient: str, after: int | None, limit: int) -> list[tuple[int, Notice]]:
        """The recipient's notices, newest first, from before the sequence `after` (a cursor)."""
        query = select(notices).where(notices.c.recipient == recipient)
        if after is not None:
            query = query.where(notices.c.seq < after)
        rows = await self.session.execute(query.order_by(notices.c.seq.desc()).limit(limit))
        return [(r.seq, _notice(r)) for r in rows]

    async def due(self, limit: int) -> list[tuple[int, Notice]]:
        """Notices waiting to be sent, oldest first, locked; another sender skips them meanwhile."""
        rows = await self.session.execute(
            select(notices).where(notices.c.status == NoticeStatus.PENDING.value).order_by(notices.c.seq)
            .limit(limit).with_for_update(skip_locked=True))
        return [(r.seq, _notice(r)) for r in rows]

    async def sent(self, seq: int, channel: str, at: datetime) -> None:
        await self.session.execute(update(notices).where(notices.c.seq == seq).values(
            status=NoticeStatus.SENT.value, sent_at=at, channel=channel, attempts=notices.c.attempts + 1,
            last_error=None))

    async def not_sent(self, seq: int, error: str, give_up: bool) -> None:
        status = NoticeStatus.FAILED if give_up else NoticeStatus.PENDING
        await self.session.execute(update(notices).where(notices.c.seq == seq).values(
            status=status.value, attempts=notices.c.attempts + 1, last_error=error))

    async def contact(self, uscc: str) -> Address | None:
        row = (await self.session.execute(select(notice_contacts).where(notice_contacts.c.uscc == uscc))).first()
        return None if row is None else Address(row.email, row.phone)

    async def set_contact(self, contact: Contact, by: str, at: datetime) -> None:
        values = {"uscc": contact.uscc, "email": contact.email, "phone": contact.phone, "updated_at": at,
                  "updated_by": by}
        statement = insert(notice_contacts).values(**values)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["uscc"], set_={k: statement.excluded[k] for k in values if k != "uscc"}))


def _notice(row: Any) -> Notice:
    return Notice(row.notice_id, row.recipient, NoticeKind(row.kind), row.parcel_id, row.subject, row.body,
                  row.respond_by, row.created_at, NoticeStatus(row.status), row.attempts, row.last_error,
                  row.sent_at, row.channel)
