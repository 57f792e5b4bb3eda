"""Acts on a parcel's right: a transfer (转让) gives the parcel a new holder from a date, closing
the current holder's period; the earlier periods stay as they were."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.errors import NotFound
from parcel_registry.domain.history import Act
from parcel_registry.domain.holders import HolderPeriod, transferred
from parcel_registry.domain.records import Change, Stored
from parcel_registry.service_layer.parcels import write_parcel
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork


async def transfer(
    uow: RegistryUnitOfWork, rules: EquityRules, parcel_id: str, new_holder: str, effective_on: date,
    act: Act, today: date,
) -> tuple[Stored, Change]:
    """`act.reference` is the transfer's document (e.g. 不动产权证号). The same transfer sent again
    changes nothing."""
    async with uow:
        await uow.parcels.lock(parcel_id)
        current = await uow.parcels.get_parcel(parcel_id)
        if current is None:
            raise NotFound("parcel", parcel_id)
        if current.parcel.holders[-1] == HolderPeriod(new_holder, effective_on, None, act.reference or ""):
            return current, Change.UNCHANGED
        periods = transferred(current.parcel.holders, new_holder, effective_on, act.reference or "", today)
        parcel = replace(current.parcel, rights_holder=new_holder, holders=periods)
        stored, change, events = await write_parcel(uow, rules, parcel, current, act, "transfer", effective_on)
        await uow.emit(*events)
    return stored, change
