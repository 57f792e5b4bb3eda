"""Event consumers: grade events drive cases; registry events feed the parcel projection and tasks.

An event that does not match its contract can never be applied and goes to the DLQ at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.service_layer.cases import on_parcel_graded, on_parcels_graded
from enforcement.service_layer.context import Context
from enforcement.service_layer.projections import on_parcel_changed, on_suspected_occupant
from landgrade_events.evaluation import GRADES, ParcelGraded
from landgrade_events.registry import PARCELS, ParcelChanged, SuspectedOccupant
from servicekit.events import CloudEvent, EventData
from servicekit.inbox import BatchHandler, Delivery, EventConsumer, Handler, PoisonEvent
from servicekit.wiring import Plumbing

E = TypeVar("E", bound=EventData)


def _handler(model: type[E], use_case: Callable[[AsyncSession, Context, E], Awaitable[None]],
             ctx: Context) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        await use_case(session, ctx, _parsed(event, model))

    return handle


def _parsed(event: CloudEvent, model: type[E]) -> E:
    try:
        return event.unwrap(model)
    except ValidationError as error:
        raise PoisonEvent(f"{event.type} {event.id} breaks its contract: {error}") from error


def _grades_run(ctx: Context) -> BatchHandler:
    """Runs of grade events (most of the traffic) applied at once, with the same effects."""
    async def handle(session: AsyncSession, deliveries: list[Delivery]) -> None:
        await on_parcels_graded(session, ctx, [(_parsed(d.event, ParcelGraded), d) for d in deliveries])

    return handle


def consumers(plumbing: Plumbing, ctx: Context) -> list[EventConsumer]:
    return [
        plumbing.consumer("enforcement-grades", [GRADES], {
            ParcelGraded.TYPE: _handler(ParcelGraded, on_parcel_graded, ctx)},
            {ParcelGraded.TYPE: _grades_run(ctx)}),
        plumbing.consumer("enforcement-registry", [PARCELS], {
            ParcelChanged.TYPE: _handler(ParcelChanged, on_parcel_changed, ctx),
            SuspectedOccupant.TYPE: _handler(SuspectedOccupant, on_suspected_occupant, ctx)}),
    ]
