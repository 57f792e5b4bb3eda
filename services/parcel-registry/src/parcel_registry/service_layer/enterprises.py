"""Handlers for enterprises, their people and equity links."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from parcel_registry.domain.enterprises import Enterprise
from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.history import Act, HistoryEntry, changes_between, enterprise_facts
from parcel_registry.domain.records import Change, StoredEnterprise
from parcel_registry.service_layer.equity_links import neighbourhood, relink_leases
from parcel_registry.service_layer.outgoing import enterprise_changed
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.clock import SystemClock


def _facts(stored: StoredEnterprise) -> dict[str, object]:
    return enterprise_facts(stored.row, stored.persons, stored.shareholders)


async def put_enterprise(
    uow: RegistryUnitOfWork, enterprise: Enterprise, rules: EquityRules, act: Act | None = None,
    effective_on: date | None = None,
) -> tuple[StoredEnterprise, Change]:
    """`act`: the source system (the token's subject) and its own reference, recorded with what
    changed."""
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
        changes = changes_between(_facts(current) if current else None, _facts(stored))
        act = act or Act("", SystemClock().now())
        await uow.history.record(HistoryEntry("enterprise", enterprise.uscc, "changed" if current else "registered",
                                              act, changes, effective_on))
        # Undated, a change took effect the day it was recorded (Beijing): consumers date relations by it.
        await uow.emit(enterprise_changed(stored, effective_on or act.at.date()),
                       *await relink_leases(uow, rules, around))
    return stored, Change.CREATED if current is None else Change.UPDATED


@dataclass(frozen=True)
class EnterpriseLine:
    """A batch line read: the enterprise, the day its change took effect, the sender's reference
    and reason."""

    enterprise: Enterprise
    effective_on: date
    reference: str | None = None
    reason: str | None = None


async def put_enterprises(
    uow: Callable[[], RegistryUnitOfWork], lines: AsyncIterable[tuple[int, EnterpriseLine | str]],
    rules: EquityRules, act: Act, max_lines: int,
) -> dict[str, Any]:
    """A business-registry batch, each line in its own transaction: a bad line is reported and
    the rest go on; a line already on record exactly so changes nothing, so re-sending a batch
    has one effect."""
    counts = {"received": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    errors: list[dict[str, Any]] = []

    def reject(line: int, uscc: str | None, reason: str) -> None:
        counts["rejected"] += 1
        errors.append({"line": line, "uscc": uscc, "reason": reason})

    async for number, line in lines:
        counts["received"] += 1
        if counts["received"] > max_lines:
            reject(number, None, f"more than {max_lines} enterprises in one call: send this line in another call")
        elif isinstance(line, str):
            reject(number, None, line)
        else:
            try:
                _, change = await put_enterprise(uow(), line.enterprise, rules,
                                                 replace(act, reference=line.reference, reason=line.reason),
                                                 line.effective_on)
            except DomainValidationError as bad:
                reject(number, line.enterprise.uscc, str(bad))
                continue
            counts[change.value] += 1
    return counts | {"errors": errors}
