"""A parcel's timeline (append-only) and the stored state its entries are decided from."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import literal, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import leases, parcel_timeline, parcels
from evaluation.domain.timeline import Entry, Occupants, StoredLease


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
