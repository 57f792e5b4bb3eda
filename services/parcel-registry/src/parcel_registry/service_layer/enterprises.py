"""Handlers for enterprises, their people and equity links."""

from __future__ import annotations

from parcel_registry.domain.enterprises import Enterprise
from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.records import Change, StoredEnterprise
from parcel_registry.service_layer.equity_links import neighbourhood, relink_leases
from parcel_registry.service_layer.outgoing import enterprise_changed
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork


async def put_enterprise(
    uow: RegistryUnitOfWork, enterprise: Enterprise, rules: EquityRules
) -> tuple[StoredEnterprise, Change]:
    async with uow:
        await uow.enterprises.lock(enterprise.uscc)
        current = await uow.enterprises.get_enterprise(enterprise.uscc)
        if current is not None and current.fingerprint() == uow.enterprises.fingerprint(enterprise):
            return current, Change.UNCHANGED
        # Links through this enterprise may appear or vanish: look around it before and after.
        around = await neighbourhood(uow, rules, enterprise.uscc)
        version = current.row["version"] + 1 if current else 1
        await uow.enterprises.save_enterprise(enterprise, version)
        around |= await neighbourhood(uow, rules, enterprise.uscc)
        stored = await uow.enterprises.get_enterprise(enterprise.uscc)
        assert stored is not None
        await uow.emit(enterprise_changed(stored), *await relink_leases(uow, rules, around))
    return stored, Change.CREATED if current is None else Change.UPDATED
