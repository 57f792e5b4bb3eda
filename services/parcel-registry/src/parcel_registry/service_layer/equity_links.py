"""Equity links derived from the stored shareholdings, and keeping leases' derived links true."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.enterprise_store import holdings_around
from parcel_registry.adapters.ledger_rows import lease_from_row
from parcel_registry.adapters.parcel_store import leases_touching, set_equity_linked
from parcel_registry.domain.equity import EquityGraph, EquityPath, EquityRules, equity_link
from parcel_registry.service_layer.events import lease_changed
from servicekit.events import EventData


async def link_between(session: AsyncSession, rules: EquityRules, x: str, y: str) -> EquityPath | None:
    holdings = await holdings_around(session, [x], rules.max_depth)
    return equity_link(EquityGraph(holdings), x, y, rules)


async def neighbourhood(session: AsyncSession, rules: EquityRules, uscc: str) -> set[str]:
    """Enterprises within the link depth of ``uscc``: any link through it joins two of them."""
    holdings = await holdings_around(session, [uscc], rules.max_depth)
    return {uscc} | {h.company for h in holdings} | {h.holder.key for h in holdings if h.holder.kind == "enterprise"}


async def relink_leases(session: AsyncSession, rules: EquityRules, usccs: Iterable[str]) -> list[EventData]:
    """Re-derives the equity link of every lease whose tenant or holder is one of ``usccs``; each
    lease whose link flipped is updated and announced."""
    events: list[EventData] = []
    for row in await leases_touching(session, sorted(set(usccs))):
        linked = await link_between(session, rules, row["rights_holder"], row["tenant"]) is not None
        if linked != row["equity_linked"]:
            await set_equity_linked(session, row["parcel_id"], row["lease_id"], linked)
            events.append(lease_changed(lease_from_row(row), linked))
    return events
