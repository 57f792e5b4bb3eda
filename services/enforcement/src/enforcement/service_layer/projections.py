"""Keeping this service's view of the registry: parcel streets and suspected-occupant tasks."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.projection_repository import ParcelView, ProjectionRepository, SuspicionReport
from enforcement.service_layer.context import Context
from landgrade_events.registry import ParcelChanged, SuspectedOccupant


async def on_parcel_changed(session: AsyncSession, ctx: Context, parcel: ParcelChanged) -> None:
    view = ParcelView(parcel.parcel_id, parcel.name, parcel.street, parcel.holder_uscc)
    await ProjectionRepository(session).upsert_parcel(view, parcel.version, ctx.clock())


async def on_suspected_occupant(session: AsyncSession, ctx: Context, report: SuspectedOccupant) -> None:
    """An enterprise filing revenue on a parcel it neither holds nor rents with approval: the parcel's
    street office should go and look (a possible unauthorised lease)."""
    await ProjectionRepository(session).report_suspicion(SuspicionReport(
        task_id=str(uuid.uuid4()), parcel_id=report.parcel_id, street=report.street,
        suspected_uscc=report.uscc, reason=report.reason, filing_id=report.filing_id, year=report.year,
        reported_at=ctx.clock()))
