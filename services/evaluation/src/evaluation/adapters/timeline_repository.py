"""A parcel's timeline (append-only) and the stored state its entries are decided from."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, literal, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import filings_awaiting_parcel, leases, parcel_timeline, parcels
from evaluation.domain.timeline import AwaitedFiling, Entry, Occupants, StoredLease
from servicekit.db import any_of

# Two-key advisory locks of parcels (`lock_parcels`): this class never meets the single-key grading
# lock. One statement for a batch, each distinct key once and in ascending order, so two
# transactions locking overlapping sets never deadlock (not even when two ids share a hash).
_PARCEL_LOCK_CLASS = 0x74_6C_6E  # "tln"
_LOCK_PARCELS = text(
    f"SELECT count(pg_advisory_xact_lock({_PARCEL_LOCK_CLASS}, k)) FROM (SELECT DISTINCT hashtext(p) AS k "  # nosec B608  # a constant, the ids are bound
    "FROM unnest(CAST(:ids AS text[])) AS p ORDER BY k) AS keys")
_TAKE_AWAITING = delete(filings_awaiting_parcel).where(any_of(filings_awaiting_parcel.c.parcel_id, "ids")).returning(
    filings_awaiting_parcel.c.parcel_id, filings_awaiting_parcel.c.uscc, filings_awaiting_parcel.c.filing_id,
    filings_awaiting_parcel.c.year, filings_awaiting_parcel.c.recorded_at)


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def stored_holder(self, parcel_id: str) -> tuple[str, int] | None:
        """(holder, version) as the projection holds them now; None for a parcel never heard of."""
        row = (await self.session.execute(select(parcels.c.holder_uscc, parcels.c.version).where(
            parcels.c.parcel_id == parcel_id))).first()
        return None if row is None else (row.holder_uscc, int(row.version))

    async def stored_lease(self, parcel_id: str, lease_id: str) -> StoredLease | None:
        row = (await self.session.execute(select(
            leases.c.tenant_uscc, leases.c.area_m2, leases.c.approved, leases.c.start_date, leases.c.end_date,
        ).where(leases.c.parcel_id == parcel_id, leases.c.lease_id == lease_id))).first()
        return None if row is None else StoredLease(row.tenant_uscc, row.area_m2, row.approved, row.start_date,
                                                    row.end_date)

    async def occupants(self, parcel_ids: list[str]) -> dict[str, Occupants]:
        """Holder and registered tenants of each known parcel (an unknown one is left out)."""
        holders = {str(p): str(h) for p, h in (await self.session.execute(
            select(parcels.c.parcel_id, parcels.c.holder_uscc).where(parcels.c.parcel_id.in_(parcel_ids)))).all()}
        tenants: dict[str, set[str]] = defaultdict(set)
        for parcel_id, tenant in (await self.session.execute(select(leases.c.parcel_id, leases.c.tenant_uscc).where(
                leases.c.parcel_id.in_(list(holders))))).all():
            tenants[parcel_id].add(tenant)
        return {p: Occupants(h, frozenset(tenants.get(p, ()))) for p, h in holders.items()}

    async def lock_parcels(self, parcel_ids: list[str]) -> None:
        """Holds these parcels' timeline locks until the transaction ends, so that a filing's "is the
        parcel known?" and the parcel's arrival never pass each other: a filing either sees the
        parcel or leaves an awaited filing the arrival sees."""
        if parcel_ids:
            await self.session.execute(_LOCK_PARCELS, {"ids": sorted(set(parcel_ids))})

    async def await_parcel(self, parcel_id: str, filings: list[AwaitedFiling]) -> None:
        """Keeps filings until their parcel arrives: the first per filer (a later one, or the same
        one redelivered, is left out, as its timeline entry would be)."""
        if not filings:
            return
        await self.session.execute(insert(filings_awaiting_parcel).on_conflict_do_nothing(), [
            {"parcel_id": parcel_id, "uscc": f.uscc, "filing_id": f.filing_id, "year": f.year,
             "recorded_at": f.recorded_at} for f in filings])

    async def take_awaiting(self, parcel_ids: list[str]) -> dict[str, list[AwaitedFiling]]:
        """The filings awaiting these parcels, deleted: the caller writes what they imply in the same
        transaction (a rollback keeps them waiting)."""
        if not parcel_ids:
            return {}
        taken: dict[str, list[AwaitedFiling]] = defaultdict(list)
        for row in (await self.session.execute(_TAKE_AWAITING, {"ids": sorted(set(parcel_ids))})).all():
            taken[row.parcel_id].append(AwaitedFiling(row.uscc, row.filing_id, int(row.year), row.recorded_at))
        return dict(taken)

    async def append(self, parcel_id: str, entries: list[Entry]) -> None:
        """Entries already written (the same key) are left as they are: a redelivery adds nothing."""
        if not entries:
            return
        await self.session.execute(insert(parcel_timeline).on_conflict_do_nothing(), [
            {"parcel_id": parcel_id, "entry_key": e.key[:200], "kind": e.kind, "at": e.at, "uscc": e.uscc,
             "zh": e.zh, "en": e.en, "details": e.details} for e in entries])

    async def entries(self, parcel_id: str, after: int | None, limit: int) -> list[dict[str, Any]]:
        """Oldest first (by when each change took effect, then by when it was written), past the
        entry `after` names (its `seq`)."""
        t = parcel_timeline
        query = select(t.c.seq, t.c.kind, t.c.at, t.c.uscc, t.c.zh, t.c.en, t.c.details, t.c.recorded_at).where(
            t.c.parcel_id == parcel_id)
        if after is not None:
            mark = await self.session.scalar(select(t.c.at).where(t.c.seq == after, t.c.parcel_id == parcel_id))
            if mark is None:
                return []  # not an entry of this parcel: nothing comes after it
            query = query.where(tuple_(t.c.at, t.c.seq) > tuple_(literal(mark), literal(after)))
        rows = (await self.session.execute(query.order_by(t.c.at, t.c.seq).limit(limit))).mappings().all()
        return [dict(r) for r in rows]
