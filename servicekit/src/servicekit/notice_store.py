"""A service's `notices` table and every statement about it that does not depend on who the
recipients are: writing notices, reading a recipient's, and the sender's side (`due`, `sent`,
`not_sent`; `servicekit.notices.send_due` drives them).

The table has the same columns in every service that sends notices, plus the service's own
(`notices_table(..., *own)`: the parcel's id at the length the service stores it, a task's id); the
migrations that create it stay each service's. A service's repository is a `NoticeStore` over its
table that turns rows into its domain's notices and adds where its recipients are reached
(`contact`, from its own table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

# A notice's status, as stored; each service's domain `NoticeStatus` has exactly these values.
PENDING = "pending"  # not delivered yet: the sender tries it again
SENT = "sent"
FAILED = "failed"  # the sender gave up after the most attempts; `last_error` says why
STATUSES = frozenset({PENDING, SENT, FAILED})


def notices_table(metadata: MetaData, *own: Column[Any]) -> Table:
    """The `notices` table in `metadata`. `own` are the service's columns; they come after `kind`,
    where the services' migrations put them. `seq` orders the notices (a recipient's list pages by
    it, the sender sends the oldest first); `notice_id` is derived from the cause, so the same cause
    written twice is one notice."""
    return Table(
        "notices", metadata,
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column("notice_id", String(64), nullable=False, unique=True),
        Column("recipient", String(100), nullable=False),
        Column("kind", String(32), nullable=False),
        *own,
        Column("subject", Text, nullable=False),
        Column("body", Text, nullable=False),
        Column("respond_by", Date),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        Column("sent_at", DateTime(timezone=True)),
        Column("channel", String(16)),
        Index("ix_notices_recipient_seq", "recipient", "seq"),
        Index("ix_notices_pending", "seq", postgresql_where=text("status = 'pending'")),
    )


class WrittenNotice(Protocol):
    """What every service's notice has, by the table's column names (`kind` and `status` are str
    enums in the domains: their values are stored)."""

    @property
    def notice_id(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def respond_by(self) -> date | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


N = TypeVar("N", bound=WrittenNotice)


class NoticeStore(Generic[N]):
    """The statements about one service's `notices` table. `notice_of` turns a row into the
    service's notice; `own_values` gives a notice's values for the service's own columns."""

    def __init__(self, session: AsyncSession, table: Table, notice_of: Callable[[Row[Any]], N],
                 own_values: Callable[[N], Mapping[str, Any]]) -> None:
        self.session, self.table = session, table
        self._notice_of, self._own_values = notice_of, own_values

    async def add(self, written: Sequence[N]) -> None:
        """Keeps each notice once: a notice whose id is stored already writes nothing."""
        if not written:
            return
        await self.session.execute(insert(self.table).on_conflict_do_nothing(index_elements=["notice_id"]), [
            {"notice_id": n.notice_id, "recipient": n.recipient, "kind": str(n.kind), "subject": n.subject,
             "body": n.body, "respond_by": n.respond_by, "created_at": n.created_at, "status": str(n.status),
             "attempts": 0, **self._own_values(n)} for n in written])

    async def of(self, recipient: str | None, after: int | None, limit: int) -> list[tuple[int, N]]:
        """The recipient's notices (None: everyone's), newest first, from before the sequence `after`
        (a cursor)."""
        notices = self.table
        query = select(notices)
        if recipient is not None:
            query = query.where(notices.c.recipient == recipient)
        if after is not None:
            query = query.where(notices.c.seq < after)
        rows = await self.session.execute(query.order_by(notices.c.seq.desc()).limit(limit))
        return [(r.seq, self._notice_of(r)) for r in rows]

    async def due(self, limit: int) -> list[tuple[int, N]]:
        """Notices waiting to be sent, oldest first, locked; another sender skips them meanwhile."""
        notices = self.table
        rows = await self.session.execute(
            select(notices).where(notices.c.status == PENDING).order_by(notices.c.seq)
            .limit(limit).with_for_update(skip_locked=True))
        return [(r.seq, self._notice_of(r)) for r in rows]

    async def sent(self, seq: int, channel: str, at: datetime) -> None:
        notices = self.table
        await self.session.execute(update(notices).where(notices.c.seq == seq).values(
            status=SENT, sent_at=at, channel=channel, attempts=notices.c.attempts + 1, last_error=None))

    async def not_sent(self, seq: int, error: str, give_up: bool) -> None:
        notices = self.table
        await self.session.execute(update(notices).where(notices.c.seq == seq).values(
            status=FAILED if give_up else PENDING, attempts=notices.c.attempts + 1, last_error=error))
