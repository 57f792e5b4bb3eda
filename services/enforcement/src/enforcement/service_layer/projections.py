"""Keeping this service's view of the registry: parcel streets and suspected-occupant tasks."""

from __future__ import annotations

import uuid

from enforcement.domain.projections import ParcelView, SuspicionReport
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_events.registry import ParcelChanged, SuspectedOccupant
from servicekit.inbox import Received


async def on_parcel_changed(uow: EnforcementUnitOfWork, events: list[Received[ParcelChanged]]) -> None:
    """The newest registry version of each parcel (an older redelivered state never wins)."""
    async with uow:
        for received in events:
            parcel = received.data
            view = ParcelView(parcel.parcel_id, parcel.name, parcel.street, parcel.holder_uscc)
            await uow.projections.upsert_parcel(view, parcel.version, uow.clock())


async def on_suspected_occupant(uow: EnforcementUnitOfWork, events: list[Received[SuspectedOccupant]]) -> None:
    """An enterprise filing revenue on a parcel it neither holds nor rents with approval: the parcel's
    street office should go and look (a possible unauthorised lease)."""
    async with uow:
        for received in events:
            report = received.data
            await uow.projections.report_suspicion(SuspicionReport(
                task_id=str(uuid.uuid4()), parcel_id=report.parcel_id, street=report.street,
                suspected_uscc=report.uscc, reason=report.reason, filing_id=report.filing_id, year=report.year,
                reported_at=uow.clock()))
