"""Reading and appending hash-chained credit records, and the ledger's anchors, in PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import credit_records, ledger_anchors, ledger_head
from credit_ledger.domain.chain import Anchor, ChainedRecord, append
from credit_ledger.domain.grades import Grade
from credit_ledger.domain.penetration import Relation, SubjectKind
from credit_ledger.domain.records import CreditRecord, Polarity, RecordKind
from servicekit.db import any_of

t = credit_records

_HEAD_HELD = "credit_ledger.head_locked_in"
_SUPERSEDED = select(t.c.supersedes).where(any_of(t.c.supersedes, "ids"))


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_head(self) -> Anchor:
        """The chain head, locked until the transaction ends: appends are strictly one after another."""
        row = (await self.session.execute(
            select(ledger_head.c.sequence, ledger_head.c.hash).where(ledger_head.c.id == 1).with_for_update()
        )).one()
        return Anchor(row.sequence, row.hash)

    async def hold_head(self) -> None:
        """Locks the chain head unless this transaction holds it already (a consumer batch applies
        hundreds of grades in one transaction). Inside a savepoint it locks every time: rolling the
        savepoint back would release a lock taken in it."""
        session = self.session
        transaction = session.sync_session.get_transaction()
        if not session.in_nested_transaction() and session.info.get(_HEAD_HELD) is transaction:
            return
        await self.lock_head()
        if not session.in_nested_transaction():
            session.info[_HEAD_HELD] = transaction

    async def read_head(self) -> Anchor:
        row = (await self.session.execute(select(ledger_head.c.sequence, ledger_head.c.hash))).one()
        return Anchor(row.sequence, row.hash)

    async def append(self, records: Sequence[CreditRecord]) -> list[ChainedRecord]:
        """Chains and stores `records` after the current head (which this locks) and moves the head."""
        if not records:
            return []
        head = await self.lock_head()
        chained = []
        for record in records:
            link = append(head, record.payload())  # head (0, GENESIS_HASH) on an empty ledger
            chained.append(link)
            head = Anchor(link.sequence, link.hash)
        await self.session.execute(insert(t), [_row(r, c) for r, c in zip(records, chained, strict=True)])
        await self.session.execute(update(ledger_head).where(ledger_head.c.id == 1)
                                   .values(sequence=head.sequence, hash=head.head_hash))
        return chained

    async def exists(self, record_id: str) -> bool:
        return await self.session.scalar(select(t.c.sequence).where(t.c.record_id == record_id)) is not None

    async def record(self, record_id: str) -> CreditRecord | None:
        row = (await self.session.execute(select(t).where(t.c.record_id == record_id))).first()
        return to_record(row) if row is not None else None

    async def of_origin(self, origin: str) -> list[CreditRecord]:
        rows = (await self.session.execute(select(t).where(t.c.origin == origin).order_by(t.c.sequence))).all()
        return [to_record(r) for r in rows]

    async def of_subject(self, subject_ref: str) -> list[tuple[int, CreditRecord]]:
        """(sequence, record) of every record about the subject, in chain order."""
        rows = (await self.session.execute(
            select(t).where(t.c.subject_ref == subject_ref).order_by(t.c.sequence))).all()
        return [(r.sequence, to_record(r)) for r in rows]

    async def superseded_ids(self, record_ids: Sequence[str]) -> set[str]:
        if not record_ids:
            return set()
        rows = await self.session.execute(_SUPERSEDED, {"ids": list(record_ids)})
        return {r.supersedes for r in rows}

    async def chunks(self, size: int = 2000) -> AsyncIterator[list[ChainedRecord]]:
        """Every record as stored, in sequence order, `size` at a time (keyset pagination)."""
        last = 0
        while True:
            rows = (await self.session.execute(
                select(t).where(t.c.sequence > last).order_by(t.c.sequence).limit(size)
            )).all()
            if not rows:
                return
            yield [_chained(r) for r in rows]
            last = rows[-1].sequence

    async def anchors(self) -> list[Anchor]:
        rows = await self.session.execute(select(ledger_anchors).order_by(ledger_anchors.c.sequence))
        return [Anchor(r.sequence, r.head_hash) for r in rows]

    async def anchored_up_to(self) -> int:
        """The sequence of the latest anchor (0 before the first)."""
        last = await self.session.scalar(select(func.coalesce(func.max(ledger_anchors.c.sequence), 0)))
        return int(last or 0)

    async def add_anchor(self, head: Anchor) -> bool:
        """Stores the anchor; False when it was stored already (another replica anchored this head)."""
        stored = await self.session.execute(
            pg_insert(ledger_anchors).values(sequence=head.sequence, head_hash=head.head_hash)
            .on_conflict_do_nothing().returning(ledger_anchors.c.sequence)
        )
        return stored.first() is not None


def _row(record: CreditRecord, link: ChainedRecord) -> dict[str, Any]:
    return {
        "sequence": link.sequence, "prev_hash": link.prev_hash, "hash": link.hash,
        "record_id": record.record_id, "kind": record.kind.value, "origin": record.origin,
        "subject_kind": record.subject_kind.value, "subject_ref": record.subject_ref,
        "parcel_id": record.parcel_id, "relation": record.relation.value, "path": list(record.path),
        "path_sentence": record.path_sentence, "polarity": record.polarity.value, "reason": record.reason,
        "occurred_at": record.occurred_at, "grade": record.grade.value if record.grade else None,
        "year": record.year, "supersedes": record.supersedes,
    }


def to_record(row: Any) -> CreditRecord:
    """Rebuilds the domain record from every stored column, so verify hashes what is really there."""
    return CreditRecord(
        record_id=row.record_id, kind=RecordKind(row.kind), origin=row.origin,
        subject_kind=SubjectKind(row.subject_kind), subject_ref=row.subject_ref, parcel_id=row.parcel_id,
        relation=Relation(row.relation), path=tuple(row.path), path_sentence=row.path_sentence,
        polarity=Polarity(row.polarity), reason=row.reason, occurred_at=row.occurred_at,
        grade=Grade(row.grade) if row.grade else None, year=row.year, supersedes=row.supersedes,
    )


def _chained(row: Any) -> ChainedRecord:
    try:
        return ChainedRecord(row.sequence, row.prev_hash, row.hash, to_record(row).payload())
    except (ValueError, TypeError, KeyError) as error:
        # A column edited into something unreadable is an edit like any other: it cannot match.
        return ChainedRecord(row.sequence, row.prev_hash, row.hash, {"unreadable": repr(error)})
