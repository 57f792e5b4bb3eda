"""Reading and writing parcels and leases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.ledger_rows import lease_from_row, lease_row, parcel_from_row, parcel_row
from parcel_registry.adapters.tables import leases, parcels
from parcel_registry.domain.attribution import Holding
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.records import Stored
from servicekit.db import any_of
from servicekit.driver import OnDriver

# What a chunk of filings reads, built once with array parameters (see `servicekit.db.any_of`).
# A chunk of filings runs these once each (on the driver: see `servicekit.driver`).
_JURISDICTIONS_OF = OnDriver(select(parcels.c.parcel_id, parcels.c.jurisdiction)
                             .where(any_of(parcels.c.parcel_id, "ids")))
_HOLDINGS_OF = OnDriver(select(parcels.c.parcel_id, parcels.c.area_m2, parcels.c.rights_holder)
                        .where(any_of(parcels.c.rights_holder, "usccs")))
_APPROVED_LEASES_OF = OnDriver(select(leases).where(any_of(leases.c.tenant, "usccs"),
                                                    leases.c.approval_date.is_not(None)))


# Advisory locks of parcels: the (int, int) form with PARCEL_LOCKS as its first key never meets
# the single-key locks of enterprises and filings.
PARCEL_LOCKS = 0x7061
LOCK_BUCKETS = 512
_LOCK_BUCKETS = text(
    "SELECT count(pg_advisory_xact_lock(CAST(:space AS integer), b)) FROM (SELECT DISTINCT "
    "(hashtext('parcel:' || k) & 2147483647) % CAST(:buckets AS integer) AS b "
    "FROM unnest(CAST(:ids AS text[])) AS k ORDER BY b) AS buckets"
)


_PARCELS_BY_ID = select(parcels).where(any_of(parcels.c.parcel_id, "ids"))


class ParcelRepository:
    """Parcels and leases of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, parcel_id: str) -> None:
        """Serialises writers of one parcel and its leases until the transaction ends (first
        writes included)."""
        await self.lock_all([parcel_id])

    async def lock_all(self, parcel_ids: Iterable[str]) -> None:
        """`lock` for many parcels in one statement. Parcels share LOCK_BUCKETS advisory locks, so
        a transaction holds at most that many whatever the size of a sheet (PostgreSQL's lock
        table holds max_locks_per_transaction × max_connections, 6,400 by default, for all
        sessions at once); buckets are taken in ascending order, so two importers cannot deadlock."""
        await self.session.execute(
            _LOCK_BUCKETS, {"ids": sorted(set(parcel_ids)), "space": PARCEL_LOCKS, "buckets": LOCK_BUCKETS})

    async def get_parcel(self, parcel_id: str) -> Stored | None:
        row = (await self.session.execute(select(parcels).where(parcels.c.parcel_id == parcel_id))).mappings().first()
        return Stored(parcel_from_row(row), row["version"]) if row else None

    async def get_parcels(self, parcel_ids: Iterable[str]) -> dict[str, Stored]:
        ids = sorted(set(parcel_ids))
        if not ids:
            return {}
        # One array parameter: a sheet's tens of thousands of ids would pass the driver's limit of
        # 32,767 parameters as an IN list.
        rows = (await self.session.execute(_PARCELS_BY_ID, {"ids": ids})).mappings().all()
        return {r["parcel_id"]: Stored(parcel_from_row(r), r["version"]) for r in rows}

    async def save_parcels(self, versions: Sequence[Stored]) -> None:
        """Writes these parcel versions: the first versions inserted, the others updated, each in
        one statement."""
        first = [{**parcel_row(s.parcel), "version": 1} for s in versions if s.version == 1]
        later = [{**_changed(parcel_row(s.parcel)), "version": s.version, "key": s.parcel.parcel_id}
                 for s in versions if s.version > 1]
        if first:
            await self.session.execute(insert(parcels), first)
        if later:
            # SET names each column the rows carry (all but the key) and the time of the change.
            await self.session.execute(
                update(parcels).where(parcels.c.parcel_id == bindparam("key")).values(updated_at=func.now()), later)

    async def list_parcels(self, *,
        jurisdiction: str | None,
        category: str | None,
        holder: str | None,
        after: str | None,
        limit: int,
    ) -> tuple[list[Stored], int]:
        conditions: list[Any] = []
        if jurisdiction:
            conditions.append(parcels.c.jurisdiction == jurisdiction)
        if category:
            conditions.append(parcels.c.category == category)
        if holder:
            conditions.append(parcels.c.rights_holder == holder)
        total = await self.session.scalar(select(func.count()).select_from(parcels).where(*conditions))
        if after:
            conditions.append(parcels.c.parcel_id > after)
        query = select(parcels).where(*conditions).order_by(parcels.c.parcel_id).limit(limit)
        rows = (await self.session.execute(query)).mappings().all()
        return [Stored(parcel_from_row(r), r["version"]) for r in rows], int(total or 0)

    async def jurisdictions_of(self, parcel_ids: Iterable[str]) -> dict[str, str]:
        """The jurisdiction of each of these parcels in the ledger (absent: not in the ledger).

        A batch of filings needs no more of the parcels it names; whole rows cost it more to rebuild
        than to read."""
        ids = sorted(set(parcel_ids))
        if not ids:
            return {}
        return {parcel_id: code for parcel_id, code in await _JURISDICTIONS_OF.fetch(self.session, {"ids": ids})}

    async def holdings_of(self, usccs: Iterable[str]) -> list[Holding]:
        """What attributing filings needs of the parcels these enterprises hold: no whole parcels."""
        keys = sorted(set(usccs))
        if not keys:
            return []
        rows = await _HOLDINGS_OF.fetch(self.session, {"usccs": keys})
        return [Holding(parcel_id, area, holder) for parcel_id, area, holder in rows]

    async def leases_on(self, parcel_id: str) -> list[tuple[Lease, bool, int]]:
        """The parcel's leases with their derived equity link and version."""
        rows = (
            (await self.session.execute(
                select(leases).where(leases.c.parcel_id == parcel_id).order_by(leases.c.lease_id)))
            .mappings()
            .all()
        )
        return [(lease_from_row(r), r["equity_linked"], r["version"]) for r in rows]

    async def approved_leases_of(self, tenants: Iterable[str]) -> list[Lease]:
        keys = sorted(set(tenants))
        if not keys:
            return []
        return [lease_from_row(r) for r in await _APPROVED_LEASES_OF.fetch(self.session, {"usccs": keys})]

    async def leases_touching(self, usccs: Sequence[str]) -> list[tuple[Lease, str, bool]]:
        """Leases whose tenant or parcel holder is one of ``usccs``: each with the parcel's
        holder and the lease's recorded equity link."""
        query = (
            select(leases, parcels.c.rights_holder)
            .join(parcels, parcels.c.parcel_id == leases.c.parcel_id)
            .where((leases.c.tenant.in_(usccs)) | (parcels.c.rights_holder.in_(usccs)))
        )
        rows = (await self.session.execute(query)).mappings().all()
        return [(lease_from_row(r), r["rights_holder"], r["equity_linked"]) for r in rows]

    async def save_lease(self, lease: Lease, equity_linked: bool, version: int) -> None:
        row = lease_row(lease) | {"equity_linked": equity_linked, "version": version}
        if version == 1:
            await self.session.execute(insert(leases).values(**row))
        else:
            await self.session.execute(
                update(leases)
                .where(leases.c.parcel_id == lease.parcel_id, leases.c.lease_id == lease.lease_id)
                .values(**row, updated_at=func.now())
            )

    async def set_equity_linked(self, parcel_id: str, lease_id: str, linked: bool) -> int:
        """Records a re-derived equity link; returns the lease's new version."""
        version = await self.session.scalar(
            update(leases)
            .where(leases.c.parcel_id == parcel_id, leases.c.lease_id == lease_id)
            .values(equity_linked=linked, version=leases.c.version + 1, updated_at=func.now())
            .returning(leases.c.version)
        )
        return int(version or 0)


def _changed(row: dict[str, Any]) -> dict[str, Any]:
    """A parcel row without its key, which an update never changes."""
    return {column: value for column, value in row.items() if column != "parcel_id"}
