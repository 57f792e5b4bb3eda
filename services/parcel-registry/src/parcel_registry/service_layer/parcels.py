"""Handlers for parcels and their leases."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters import parcel_store as store
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.importing import ImportResult
from parcel_registry.domain.leases import Lease, lease_problems_on
from parcel_registry.domain.parcels import Parcel
from parcel_registry.service_layer.equity_links import link_between, relink_leases
from parcel_registry.service_layer.events import lease_changed, parcel_changed
from parcel_registry.service_layer.registry import Change, NotFound, Registry
from servicekit.events import EventData


def _same(a: Parcel, b: Parcel) -> bool:
    return a == b and a.geometry == b.geometry


async def _write_parcel(
    session: AsyncSession, reg: Registry, parcel: Parcel, current: store.Stored | None
) -> tuple[store.Stored, Change, list[EventData]]:
    if current is not None and _same(current.parcel, parcel):
        return current, Change.UNCHANGED, []
    version = current.version + 1 if current else 1
    await store.save_parcel(session, parcel, version)
    events: list[EventData] = [parcel_changed(parcel, version)]
    if current is not None and current.parcel.rights_holder != parcel.rights_holder:
        events += await relink_leases(session, reg.equity_rules, [parcel.rights_holder, current.parcel.rights_holder])
    return store.Stored(parcel, version), Change.CREATED if current is None else Change.UPDATED, events


async def put_parcel(reg: Registry, parcel: Parcel) -> tuple[store.Stored, Change]:
    async with reg.db.transaction() as session:
        await store.lock(session, "parcel", parcel.parcel_id)
        current = await store.get_parcel(session, parcel.parcel_id)
        stored, change, events = await _write_parcel(session, reg, parcel, current)
        await reg.outbox.add(session, *events)
    return stored, change


async def get_parcel(reg: Registry, parcel_id: str) -> store.Stored:
    async with reg.db.sessions() as session:
        stored = await store.get_parcel(session, parcel_id)
    if stored is None:
        raise NotFound("parcel", parcel_id)
    return stored


async def import_parcels(
    reg: Registry, result: ImportResult, *, replaces_terms: bool, replaces_geometry: bool
) -> dict[str, int]:
    """Writes a validated sheet in one transaction. Flags, and the contract terms or outline
    when the sheet has no such columns, are kept from the ledger."""
    counts = {c.value: 0 for c in Change}
    async with reg.db.transaction() as session:
        ids = sorted(p.parcel_id for p in result.parcels)
        for parcel_id in ids:  # one order for every importer: no deadlocks between two imports
            await store.lock(session, "parcel", parcel_id)
        existing = await store.get_parcels(session, ids)
        events: list[EventData] = []
        for parcel in result.parcels:
            current = existing.get(parcel.parcel_id)
            if current is not None:
                kept = current.parcel
                parcel = replace(
                    parcel,
                    flags=kept.flags,
                    contract_terms=parcel.contract_terms if replaces_terms else kept.contract_terms,
                    geometry=parcel.geometry if replaces_geometry else kept.geometry,
                )
            _, change, written = await _write_parcel(session, reg, parcel, current)
            counts[change.value] += 1
            events += written
        await reg.outbox.add(session, *events)
    return counts


async def put_lease(reg: Registry, lease: Lease) -> tuple[Lease, bool, int, Change]:
    """Registers or changes a lease; its equity link to the holder is derived here."""
    async with reg.db.transaction() as session:
        await store.lock(session, "parcel", lease.parcel_id)
        stored = await store.get_parcel(session, lease.parcel_id)
        if stored is None:
            raise NotFound("parcel", lease.parcel_id)
        on_parcel = await store.leases_on(session, lease.parcel_id)
        problems = lease_problems_on(lease, stored.parcel, tuple(other for other, _, _ in on_parcel))
        if problems:
            raise DomainValidationError(problems)
        linked = await link_between(session, reg.equity_rules, stored.parcel.rights_holder, lease.tenant) is not None
        current = next((entry for entry in on_parcel if entry[0].lease_id == lease.lease_id), None)
        if current is not None and current[0] == lease and current[1] == linked:
            return lease, linked, current[2], Change.UNCHANGED
        version = current[2] + 1 if current else 1
        await store.save_lease(session, lease, linked, version)
        await reg.outbox.add(session, lease_changed(lease, linked))
    return lease, linked, version, Change.CREATED if current is None else Change.UPDATED


async def get_lease(reg: Registry, parcel_id: str, lease_id: str) -> tuple[Lease, bool, int]:
    async with reg.db.sessions() as session:
        on_parcel = await store.leases_on(session, parcel_id)
    found = next((entry for entry in on_parcel if entry[0].lease_id == lease_id), None)
    if found is None:
        raise NotFound("lease", f"{parcel_id}/{lease_id}")
    return found
