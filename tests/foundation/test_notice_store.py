"""The notices table every notice-sending service shares, and its statements, on real PostgreSQL:
a notice is kept once, a recipient reads newest first by a cursor, the sender takes the waiting
ones oldest first and locked, and a failure is counted until the sender gives up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, String

from servicekit.db import Database
from servicekit.migrations import ensure_database
from servicekit.notice_store import FAILED, PENDING, SENT, NoticeStore, notices_table
from servicekit.settings import ServiceSettings

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Told:
    notice_id: str
    recipient: str
    kind: str
    parcel_id: str | None
    subject: str
    body: str
    respond_by: date | None
    created_at: datetime
    status: str = PENDING
    attempts: int = 0
    last_error: str | None = None


def _told(row: Any) -> Told:
    return Told(row.notice_id, row.recipient, row.kind, row.parcel_id, row.subject, row.body, row.respond_by,
                row.created_at, row.status, row.attempts, row.last_error)


def test_the_services_own_columns_come_after_the_kind() -> None:
    table = notices_table(MetaData(), Column("parcel_id", String(64)), Column("task_id", String(36)))
    names = [c.name for c in table.columns]
    assert names[:7] == ["seq", "notice_id", "recipient", "kind", "parcel_id", "task_id", "subject"]
    assert {i.name for i in table.indexes} == {"ix_notices_recipient_seq", "ix_notices_pending"}


@pytest.mark.infra
async def test_notices_are_kept_once_read_by_cursor_and_sent_oldest_first(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = await make_settings(ServiceSettings)
    await ensure_database(settings.database_url)
    metadata = MetaData()
    table = notices_table(metadata, Column("parcel_id", String(64)))
    db = Database.connect(settings.database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

        def store(session: Any) -> NoticeStore[Told]:
            return NoticeStore(session, table, _told, lambda n: {"parcel_id": n.parcel_id})

        written = [Told(f"n{i}", "ronghua" if i % 2 else "boxing", "inspection_task", f"P{i}", f"s{i}", "b",
                        date(2026, 3, 16), T0) for i in range(1, 5)]
        async with db.transaction() as session:
            await store(session).add(written)
            await store(session).add(written[:1])  # the same cause written again
        async with db.transaction() as session:
            mine = await store(session).of("ronghua", None, 1)
            assert [n.notice_id for _, n in mine] == ["n3"]
            older = await store(session).of("ronghua", mine[-1][0], 10)
            assert [n.notice_id for _, n in older] == ["n1"]
            assert len(await store(session).of(None, None, 10)) == 4

        async with db.transaction() as first:
            taken = await store(first).due(2)
            assert [n.notice_id for _, n in taken] == ["n1", "n2"]
            async with db.transaction() as second:  # another sender skips what the first holds
                assert [n.notice_id for _, n in await store(second).due(10)] == ["n3", "n4"]
            await store(first).sent(taken[0][0], "email", T0)
            await store(first).not_sent(taken[1][0], "no address", give_up=False)
        async with db.transaction() as session:
            assert [n.notice_id for _, n in await store(session).due(10)] == ["n2", "n3", "n4"]
            [(seq, retried)] = [(s, n) for s, n in await store(session).due(10) if n.notice_id == "n2"]
            assert (retried.status, retried.attempts, retried.last_error) == (PENDING, 1, "no address")
            await store(session).not_sent(seq, "still no address", give_up=True)
        async with db.transaction() as session:
            every = {n.notice_id: n for _, n in await store(session).of(None, None, 10)}
            assert (every["n1"].status, every["n1"].attempts, every["n1"].last_error) == (SENT, 1, None)
            assert (every["n2"].status, every["n2"].attempts) == (FAILED, 2)
            assert [n.notice_id for _, n in await store(session).due(10)] == ["n3", "n4"]
    finally:
        await db.dispose()
