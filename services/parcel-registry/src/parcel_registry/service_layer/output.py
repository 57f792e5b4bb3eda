"""A parcel's output and tax for a year, from the stored attributions of the current filings."""

from __future__ import annotations

from parcel_registry.adapters import filing_store
from parcel_registry.adapters.parcel_store import Stored, get_parcel
from parcel_registry.domain.output import ParcelOutput, parcel_year
from parcel_registry.service_layer.registry import NotFound, Registry


async def parcel_output(reg: Registry, parcel_id: str, year: int) -> tuple[Stored, ParcelOutput]:
    async with reg.db.sessions() as session:
        stored = await get_parcel(session, parcel_id)
        if stored is None:
            raise NotFound("parcel", parcel_id)
        by_pair, annual = await filing_store.parcel_year_shares(session, [(parcel_id, year)])
    filers = {uscc for uscc, y in annual if y == year}
    return stored, parcel_year(parcel_id, year, by_pair.get((parcel_id, year), []), filers)
