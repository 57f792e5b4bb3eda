"""Reading and writing parcels and leases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.ledger_rows import lease_from_row, lease_row, parcel_from_row, parcel_row
from parcel_registry.adapters.tables import leases, parcels
from parcel_registry.domain.attribution import Holding
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.parcels import Parcel
from servicekit.db import any_of


@dataclass(frozen=True)
class Stored:
    """A parcel as stored, with its version (raised on every change)."""

    parcel: Parcel
    version: int


async def lock(session: AsyncSession, kind: str, key: str) -> None:
    """Serialises writers of one aggregate until the transaction ends (first writes included)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{kind}:{key}"})


async def get_parcel(session: AsyncSession, parcel_id: str) -> Stored | None:
    row = (await session.execute(select(parcels).where(parcels.c.parcel_id == parcel_id))).mappings().first()
    return Stored(parcel_from_row(row), row["version"]) if row else None


async def get_parcels(session: AsyncSession, parcel_ids: Iterable[str]) -> dict[str, Stored]:
    ids = sorted(set(parcel_ids))
    if not ids:
        return {}
    rows = (await session.execute(select(parcels).where(parcels.c.parcel_id.in_(ids)))).mappings().all()
    return {r["parcel_id"]: Stored(parcel_from_row(r), r["version"]) for r in rows}


async def save_parcel(session: AsyncSession, parcel: Parcel, version: int) -> None:
    row = parcel_row(parcel)
    if version == 1:
        await session.execute(insert(parcels).values(**row, version=1))
    else:
        await session.execute(
            update(parcels)
            .where(parcels.c.parcel_id == parcel.parcel_id)
            .values(**row, version=version, updated_at=func.now())
        )


async def list_parcels(
    session: AsyncSession,
    *,
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
    total = await session.scalar(select(func.count()).select_from(parcels).where(*conditions))
    if after:
        conditions.append(parcels.c.parcel_id > after)
    query = select(parcels).where(*conditions).order_by(parcels.c.parcel_id).limit(limit)
    rows = (await session.execute(query)).mappings().all()
    return [Stored(parcel_from_row(r), r["version"]) for r in rows], int(total or 0)


# What a chunk of filings reads, built once with array parameters (see `servicekit.db.any_of`).
_JURISDICTIONS_OF = select(parcels.c.parcel_id, parcels.c.jurisdiction).where(any_of(parcels.c.parcel_id, "ids"))
_HOLDINGS_OF = (select(parcels.c.parcel_id, parcels.c.area_m2, parcels.c.rights_holder)
                .where(any_of(parcels.c.rights_holder, "usccs")))
_APPROVED_LEASES_OF = select(leases).where(any_of(leases.c.tenant, "usccs"), leases.c.approval_date.is_not(None))


async def jurisdictions_of(session: AsyncSession, parcel_ids: Iterable[str]) -> dict[str, str]:
    """The jurisdiction of each of these parcels in the ledger (absent: not in the ledger).

    A batch of filings needs no more of the parcels it names; whole rows cost it more to rebuild
    than to read."""
    ids = sorted(set(parcel_ids))
    if not ids:
        return {}
    return {parcel_id: code for parcel_id, code in await session.execute(_JURISDICTIONS_OF, {"ids": ids})}


async def holdings_of(session: AsyncSession, usccs: Iterable[str]) -> list[Holding]:
    """What attributing filings needs of the parcels these enterprises hold: no whole parcels."""
    keys = sorted(set(usccs))
    if not keys:
        return []
    rows = await session.execute(_HOLDINGS_OF, {"usccs": keys})
    return [Holding(parcel_id, area, holder) for parcel_id, area, holder in rows]


async def leases_on(session: AsyncSession, parcel_id: str) -> list[tuple[Lease, bool, int]]:
    """The parcel's leases with their derived equity link and version."""
    rows = (
        (await session.execute(select(leases).where(leases.c.parcel_id == parcel_id).order_by(leases.c.lease_id)))
        .mappings()
        .all()
    )
    return [(lease_from_row(r), r["equity_linked"], r["version"]) for r in rows]


async def approved_leases_of(session: AsyncSession, tenants: Iterable[str]) -> list[Lease]:
    keys = sorted(set(tenants))
    if not keys:
        return []
    return [lease_from_row(r) for r in (await session.execute(_APPROVED_LEASES_OF, {"usccs": keys})).mappings()]


async def leases_touching(session: AsyncSession, usccs: Sequence[str]) -> list[dict[str, Any]]:
    """Leases whose tenant or parcel holder is one of ``usccs``, with the holder."""
    query = (
        select(leases, parcels.c.rights_holder)
        .join(parcels, parcels.c.parcel_id == leases.c.parcel_id)
        .where((leases.c.tenant.in_(usccs)) | (parcels.c.rights_holder.in_(usccs)))
    )
    return [dict(r) for r in (await session.execute(query)).mappings().all()]


async def save_lease(session: AsyncSession, lease: Lease, equity_linked: bool, version: int) -> None:
    row = lease_row(lease) | {"equity_linked": equity_linked, "version": version}
    if version == 1:
        await session.execute(insert(leases).values(**row))
    else:
        await session.execute(
            update(leases)
            .where(leases.c.parcel_id == lease.parcel_id, leases.c.lease_id == lease.lease_id)
            .values(**row, updated_at=func.now())
        )


async def set_equity_linked(session: AsyncSession, parcel_id: str, lease_id: str, linked: bool) -> int:
    """Records a re-derived equity link; returns the lease's new version."""
    version = await session.scalar(
        update(leases)
        .where(leases.c.parcel_id == parcel_id, leases.c.lease_id == lease_id)
        .values(equity_linked=linked, version=leases.c.version + 1, updated_at=func.now())
        .returning(leases.c.version)
    )
    return int(version or 0)
