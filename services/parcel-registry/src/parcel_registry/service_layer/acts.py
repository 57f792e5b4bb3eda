"""Acts on parcels beyond a transfer: split (分宗), merge (合宗), end of right (收回) and change of
use (变更用途). Each is one transaction: every parcel it touches gets its next version and a
history entry naming the act, and an event. The same act sent again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from parcel_registry.domain import acts
from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.errors import NotFound
from parcel_registry.domain.history import Act
from parcel_registry.domain.parcels import Parcel, ParcelCategory
from parcel_registry.domain.records import Change, Stored
from parcel_registry.service_layer.parcels import write_parcel
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.events import EventData


async def _write(uow: RegistryUnitOfWork, rules: EquityRules, act: Act, kind: str, effective_on: date,
                 versions: Sequence[tuple[Parcel, Stored | None]]) -> list[Stored]:
    written: list[Stored] = []
    events: list[EventData] = []
    for parcel, current in versions:
        stored, _, more = await write_parcel(uow, rules, parcel, current, act, kind, effective_on)
        written.append(stored)
        events += more
    await uow.emit(*events)
    return written


def _found(found: dict[str, Stored], parcel_id: str) -> Stored:
    if (stored := found.get(parcel_id)) is None:
        raise NotFound("parcel", parcel_id)
    return stored


async def split(
    uow: RegistryUnitOfWork, rules: EquityRules, parcel_id: str, children: Sequence[acts.NewParcel],
    effective_on: date, act: Act, today: date,
) -> tuple[Stored, list[Stored], Change]:
    """The parent as it is after the split, its children, and whether anything changed."""
    ref = act.reference or ""
    ids = [parcel_id, *(c.parcel_id for c in children)]
    async with uow:
        await uow.parcels.lock_all(ids)
        found = await uow.parcels.get_parcels(ids)
        parent = _found(found, parcel_id)
        if acts.split_requested(parent.parcel, children, effective_on, ref):
            return parent, [found[c.parcel_id] for c in children], Change.UNCHANGED
        ended, made = acts.split(parent.parcel, children, effective_on, ref, today, found.keys() - {parcel_id})
        stored = await _write(uow, rules, act, acts.SPLIT, effective_on,
                              [(ended, parent), *((child, None) for child in made)])
    return stored[0], stored[1:], Change.CREATED


async def merge(
    uow: RegistryUnitOfWork, rules: EquityRules, parcel_ids: Sequence[str], new: acts.NewParcel,
    effective_on: date, act: Act, today: date,
) -> tuple[Stored, list[Stored], Change]:
    """The new parcel, the merged ones as they are after the merge, and whether anything changed."""
    ref = act.reference or ""
    async with uow:
        await uow.parcels.lock_all([*parcel_ids, new.parcel_id])
        found = await uow.parcels.get_parcels([*parcel_ids, new.parcel_id])
        merged = [_found(found, pid) for pid in parcel_ids]
        if new.parcel_id in found and acts.merge_requested([m.parcel for m in merged], new, effective_on, ref):
            return found[new.parcel_id], merged, Change.UNCHANGED
        ended, made = acts.merge([m.parcel for m in merged], new, effective_on, ref, today, found.keys())
        stored = await _write(uow, rules, act, acts.MERGE, effective_on,
                              [*zip(ended, merged, strict=True), (made, None)])
    return stored[-1], stored[:-1], Change.CREATED


async def end_of_right(
    uow: RegistryUnitOfWork, rules: EquityRules, parcel_id: str, effective_on: date, act: Act, today: date,
) -> tuple[Stored, Change]:
    ref = act.reference or ""
    async with uow:
        await uow.parcels.lock(parcel_id)
        current = _found(await uow.parcels.get_parcels([parcel_id]), parcel_id)
        if acts.end_requested(current.parcel, effective_on, ref):
            return current, Change.UNCHANGED
        ended = acts.end_of_right(current.parcel, effective_on, ref, today)
        [stored] = await _write(uow, rules, act, acts.END_OF_RIGHT, effective_on, [(ended, current)])
    return stored, Change.UPDATED


async def change_use(
    uow: RegistryUnitOfWork, rules: EquityRules, parcel_id: str, category: ParcelCategory, effective_on: date,
    act: Act, today: date,
) -> tuple[Stored, Change]:
    """The category the parcel already has changes nothing."""
    async with uow:
        await uow.parcels.lock(parcel_id)
        current = _found(await uow.parcels.get_parcels([parcel_id]), parcel_id)
        changed = acts.use_changed(current.parcel, category, effective_on, today)
        stored, change, events = await write_parcel(uow, rules, changed, current, act, "use_change", effective_on)
        await uow.emit(*events)
    return stored, change
