"""Consumers of the registry's and enforcement's events: keep the facts, then re-grade.

Each handler runs inside the inbox transaction (servicekit), so the fact, the new evaluation and
its grade event commit together with the consumed event id: a redelivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters import facts_store
from evaluation.adapters.tables import findings, leases, parcels
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.regrade import regrade
from evaluation.service_layer.regrade_filings import regrade_filings
from landgrade_events.enforcement import CASES, FINDINGS, CaseChanged, FindingRecorded
from landgrade_events.registry import (
    ENTERPRISES,
    PARCELS,
    REVENUE,
    EnterpriseChanged,
    FilingAccepted,
    LeaseChanged,
    ParcelChanged,
)
from servicekit.events import CloudEvent, EventData
from servicekit.inbox import BatchHandler, Delivery, PoisonEvent

TOPICS = [PARCELS, ENTERPRISES, REVENUE, FINDINGS, CASES]
E = TypeVar("E", bound=EventData)
Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


def handlers(ctx: EvaluationContext) -> dict[str, Handler]:
    async def parcel_changed(session: AsyncSession, event: CloudEvent) -> None:
        data = _parse(event, ParcelChanged)
        await facts_store.upsert_parcel(session, data)
        await regrade(session, ctx, data.parcel_id, None, event.id)

    async def lease_changed(session: AsyncSession, event: CloudEvent) -> None:
        data = _parse(event, LeaseChanged)
        await facts_store.upsert_lease(session, data)
        await regrade(session, ctx, data.parcel_id, None, event.id)

    async def enterprise_changed(session: AsyncSession, event: CloudEvent) -> None:
        data = _parse(event, EnterpriseChanged)
        await facts_store.replace_shareholdings(session, data)
        for parcel_id in await _parcels_touching(session, data.uscc):
            await regrade(session, ctx, parcel_id, None, event.id)

    async def filing_accepted(session: AsyncSession, event: CloudEvent) -> None:
        data = _parse(event, FilingAccepted)
        await facts_store.store_revenue(session, data)
        await regrade(session, ctx, data.parcel_id, data.year, event.id)

    async def finding_recorded(session: AsyncSession, event: CloudEvent) -> None:
        data = _parse(event, FindingRecorded)
        await facts_store.record_finding(session, data)
        await regrade(session, ctx, data.parcel_id, None, event.id)

    async def case_changed(session: AsyncSession, event: CloudEvent) -> None:
        data = _parse(event, CaseChanged)
        await facts_store.record_case(session, data)
        if data.state == "rectified":
            await regrade(session, ctx, data.parcel_id, None, event.id)

    return {
        ParcelChanged.TYPE: parcel_changed, LeaseChanged.TYPE: lease_changed,
        EnterpriseChanged.TYPE: enterprise_changed, FilingAccepted.TYPE: filing_accepted,
        FindingRecorded.TYPE: finding_recorded, CaseChanged.TYPE: case_changed,
    }


def batch_handlers(ctx: EvaluationContext) -> dict[str, BatchHandler]:
    """Runs of filings (most of the traffic) re-graded set-based, with the same effects."""

    async def filings_accepted(session: AsyncSession, deliveries: list[Delivery]) -> None:
        await regrade_filings(session, ctx, [(_parse(d.event, FilingAccepted), d) for d in deliveries])

    return {FilingAccepted.TYPE: filings_accepted}


def _parse(event: CloudEvent, model: type[E]) -> E:
    try:
        return event.unwrap(model)
    except ValueError as error:  # a malformed payload never becomes valid: straight to the DLQ
        raise PoisonEvent(f"{event.type}: {error}") from error


async def _parcels_touching(session: AsyncSession, uscc: str) -> list[str]:
    """Parcels whose equity-link questions involve this enterprise: as holder or as tenant."""
    held = select(parcels.c.parcel_id).where(parcels.c.holder_uscc == uscc)
    leased = select(leases.c.parcel_id).where(leases.c.tenant_uscc == uscc, leases.c.approved.is_(False))
    found = select(findings.c.parcel_id).where(findings.c.tenant_uscc == uscc)
    rows = await session.scalars(held.union(leased, found))
    return sorted(set(rows.all()))
