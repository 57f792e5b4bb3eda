"""What the GET routes answer: reads of the ledger, each in its own unit of work."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from parcel_registry.domain.attribution import Attribution
from parcel_registry.domain.equity import (
    EquityGraph,
    EquityPath,
    EquityRules,
    RelatedParty,
    equity_link,
    related_parties,
)
from parcel_registry.domain.errors import NotFound
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.history import HistoryEntry
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.output import ParcelOutput, parcel_year
from parcel_registry.domain.records import Stored, StoredEnterprise
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork


async def parcel(uow: RegistryUnitOfWork, parcel_id: str) -> tuple[Stored, list[tuple[Lease, bool, int]]]:
    """A parcel with its leases (each with its derived equity link and version)."""
    async with uow:
        stored = await uow.parcels.get_parcel(parcel_id)
        if stored is None:
            raise NotFound("parcel", parcel_id)
        return stored, await uow.parcels.leases_on(parcel_id)


@dataclass(frozen=True)
class ParcelPage:
    items: list[Stored]
    total: int
    next_after: str | None


async def parcels(
    uow: RegistryUnitOfWork, *, jurisdiction: str | None, category: str | None, holder: str | None,
    after: str | None, limit: int,
) -> ParcelPage:
    async with uow:
        items, total = await uow.parcels.list_parcels(
            jurisdiction=jurisdiction, category=category, holder=holder, after=after, limit=limit
        )
    next_after = items[-1].parcel.parcel_id if len(items) == limit else None
    return ParcelPage(items, total, next_after)


async def lease(uow: RegistryUnitOfWork, parcel_id: str, lease_id: str) -> tuple[Lease, bool, int]:
    async with uow:
        on_parcel = await uow.parcels.leases_on(parcel_id)
    found = next((entry for entry in on_parcel if entry[0].lease_id == lease_id), None)
    if found is None:
        raise NotFound("lease", f"{parcel_id}/{lease_id}")
    return found


async def parcel_output(uow: RegistryUnitOfWork, parcel_id: str, year: int) -> tuple[Stored, ParcelOutput]:
    """A parcel's output and tax for a year, from the stored attributions of the current filings."""
    async with uow:
        stored = await uow.parcels.get_parcel(parcel_id)
        if stored is None:
            raise NotFound("parcel", parcel_id)
        by_pair, annual = await uow.filings.parcel_year_shares([(parcel_id, year)])
    filers = {uscc for uscc, y in annual if y == year}
    return stored, parcel_year(parcel_id, year, by_pair.get((parcel_id, year), []), filers)


async def enterprise(uow: RegistryUnitOfWork, uscc: str) -> StoredEnterprise:
    async with uow:
        stored = await uow.enterprises.get_enterprise(uscc)
    if stored is None:
        raise NotFound("enterprise", uscc)
    return stored


def rules_with_depth(rules: EquityRules, depth: int | None) -> EquityRules:
    return rules if depth is None else replace(rules, max_depth=depth)


@dataclass(frozen=True)
class Related:
    rules: EquityRules
    parties: list[RelatedParty]
    names: dict[str, str]


async def related(uow: RegistryUnitOfWork, rules: EquityRules, uscc: str) -> Related:
    async with uow:
        if await uow.enterprises.get_enterprise(uscc) is None:
            raise NotFound("enterprise", uscc)
        holdings = await uow.enterprises.holdings_around([uscc], rules.max_depth)
        responsible, person_holdings = await uow.enterprises.roles_of_people(await uow.enterprises.people_of(uscc))
        graph = EquityGraph(set(holdings) | set(person_holdings))
        parties = related_parties(graph, responsible, uscc, rules)
        names = await uow.enterprises.names_of([p.uscc for p in parties])
    return Related(rules, parties, names)


async def link(uow: RegistryUnitOfWork, rules: EquityRules, x: str, y: str) -> EquityPath | None:
    async with uow:
        holdings = await uow.enterprises.holdings_around([x], rules.max_depth)
    return equity_link(EquityGraph(holdings), x, y, rules)


@dataclass(frozen=True)
class FilingRevision:
    filing: RevenueFiling
    received_at: Any
    received_by: str
    is_current: bool
    attribution: Attribution


async def filing_trail(uow: RegistryUnitOfWork, filing_id: str) -> list[FilingRevision]:
    """Every revision of a filing, oldest first, for audit."""
    async with uow:
        trail = await uow.filings.audit_trail(filing_id)
    if not trail:
        raise NotFound("filing", filing_id)
    return [FilingRevision(t["filing"], t["received_at"], t["received_by"], t["is_current"], t["attribution"])
            for t in trail]


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryEntry]
    next: str | None  # the `after` of the next (older) page; None: this is the last


async def history(uow: RegistryUnitOfWork, subject: str, key: str, after: int | None, limit: int) -> HistoryPage:
    """A parcel's or an enterprise's acts, newest first; an unknown key is not found (never an
    empty history)."""
    async with uow:
        known = (await uow.parcels.get_parcel(key) if subject == "parcel"
                 else await uow.enterprises.get_enterprise(key))
        if known is None:
            raise NotFound(subject, key)
        entries = await uow.history.entries(subject, key, before=after, limit=limit + 1)
    more = len(entries) > limit
    return HistoryPage(entries[:limit], str(entries[limit - 1].entry_id) if more else None)
