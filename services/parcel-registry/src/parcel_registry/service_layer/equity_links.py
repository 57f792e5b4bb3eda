"""Equity links derived from the stored shareholdings, and keeping leases' derived links true."""

from __future__ import annotations

from collections.abc import Iterable

from parcel_registry.domain.equity import EquityGraph, EquityPath, EquityRules, equity_link
from parcel_registry.service_layer.outgoing import lease_changed
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.events import EventData


async def link_between(uow: RegistryUnitOfWork, rules: EquityRules, x: str, y: str) -> EquityPath | None:
    holdings = await uow.enterprises.holdings_around([x], rules.max_depth)
    return equity_link(EquityGraph(holdings), x, y, rules)


async def neighbourhood(uow: RegistryUnitOfWork, rules: EquityRules, uscc: str) -> set[str]:
    """Enterprises within the link depth of ``uscc``: any link through it joins two of them."""
    holdings = await uow.enterprises.holdings_around([uscc], rules.max_depth)
    return {uscc} | {h.company for h in holdings} | {h.holder.key for h in holdings if h.holder.kind == "enterprise"}


async def relink_leases(uow: RegistryUnitOfWork, rules: EquityRules, usccs: Iterable[str]) -> list[EventData]:
    """Re-derives the equity link of every lease whose tenant or holder is one of ``usccs``; each
    lease whose link flipped is updated and announced."""
    events: list[EventData] = []
    for lease, holder, was_linked in await uow.parcels.leases_touching(sorted(set(usccs))):
        linked = await link_between(uow, rules, holder, lease.tenant) is not None
        if linked != was_linked:
            await uow.parcels.set_equity_linked(lease.parcel_id, lease.lease_id, linked)
            events.append(lease_changed(lease, linked))
    return events
