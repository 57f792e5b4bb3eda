"""Handlers for enterprises, their people and equity links."""

from __future__ import annotations

from dataclasses import dataclass, replace

from parcel_registry.adapters import enterprise_store as store
from parcel_registry.adapters.parcel_store import lock
from parcel_registry.domain.enterprises import Enterprise
from parcel_registry.domain.equity import (
    EquityGraph,
    EquityPath,
    EquityRules,
    RelatedParty,
    equity_link,
    related_parties,
)
from parcel_registry.service_layer.equity_links import neighbourhood, relink_leases
from parcel_registry.service_layer.events import enterprise_changed
from parcel_registry.service_layer.registry import Change, NotFound, Registry


async def put_enterprise(reg: Registry, enterprise: Enterprise) -> tuple[store.StoredEnterprise, Change]:
    async with reg.db.transaction() as session:
        await lock(session, "enterprise", enterprise.uscc)
        current = await store.get_enterprise(session, enterprise.uscc)
        if current is not None and current.fingerprint() == store.fingerprint(enterprise, reg.vault):
            return current, Change.UNCHANGED
        # Links through this enterprise may appear or vanish: look around it before and after.
        around = await neighbourhood(session, reg.equity_rules, enterprise.uscc)
        version = current.row["version"] + 1 if current else 1
        await store.save_enterprise(session, enterprise, reg.vault, version)
        around |= await neighbourhood(session, reg.equity_rules, enterprise.uscc)
        stored = await store.get_enterprise(session, enterprise.uscc)
        assert stored is not None
        events = [enterprise_changed(stored), *await relink_leases(session, reg.equity_rules, around)]
        await reg.outbox.add(session, *events)
    return stored, Change.CREATED if current is None else Change.UPDATED


async def get_enterprise(reg: Registry, uscc: str) -> store.StoredEnterprise:
    async with reg.db.sessions() as session:
        stored = await store.get_enterprise(session, uscc)
    if stored is None:
        raise NotFound("enterprise", uscc)
    return stored


@dataclass(frozen=True)
class Related:
    rules: EquityRules
    parties: list[RelatedParty]
    names: dict[str, str]


def rules_with_depth(reg: Registry, depth: int | None) -> EquityRules:
    return reg.equity_rules if depth is None else replace(reg.equity_rules, max_depth=depth)


async def related(reg: Registry, uscc: str, depth: int | None = None) -> Related:
    rules = rules_with_depth(reg, depth)
    async with reg.db.sessions() as session:
        if await store.get_enterprise(session, uscc) is None:
            raise NotFound("enterprise", uscc)
        holdings = await store.holdings_around(session, [uscc], rules.max_depth)
        responsible, person_holdings = await store.roles_of_people(session, await store.people_of(session, uscc))
        graph = EquityGraph(set(holdings) | set(person_holdings))
        parties = related_parties(graph, responsible, uscc, rules)
        names = await store.names_of(session, [p.uscc for p in parties])
    return Related(rules, parties, names)


async def link(reg: Registry, x: str, y: str, depth: int | None = None) -> tuple[EquityRules, EquityPath | None]:
    rules = rules_with_depth(reg, depth)
    async with reg.db.sessions() as session:
        holdings = await store.holdings_around(session, [x], rules.max_depth)
    return rules, equity_link(EquityGraph(holdings), x, y, rules)
