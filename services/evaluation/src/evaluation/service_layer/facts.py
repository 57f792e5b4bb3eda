"""The registry's and enforcement's events: keep the fact, then re-grade what it touches.

Each handler runs in the inbox's transaction, so the fact, the new evaluation and its grade event
commit together with the consumed event id: a redelivery changes nothing. A handler takes a run
of consecutive events of its type, with the effects each would have had alone; the fallback path
hands it a list of one.
"""

from __future__ import annotations

from evaluation.service_layer.grading import regrade_filings, regrade_parcels
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged
from servicekit.inbox import Received


async def parcels_changed(uow: EvaluationUnitOfWork, events: list[Received[ParcelChanged]]) -> None:
    async with uow:
        for event in events:
            await uow.facts.upsert_parcel(event.data)
            await regrade_parcels(uow, [event.data.parcel_id], None, event)


async def leases_changed(uow: EvaluationUnitOfWork, events: list[Received[LeaseChanged]]) -> None:
    async with uow:
        for event in events:
            await uow.facts.upsert_lease(event.data)
            await regrade_parcels(uow, [event.data.parcel_id], None, event)


async def enterprises_changed(uow: EvaluationUnitOfWork, events: list[Received[EnterpriseChanged]]) -> None:
    async with uow:
        for event in events:
            await uow.facts.replace_shareholdings(event.data)
            await regrade_parcels(uow, await uow.facts.parcels_touching(event.data.uscc), None, event)


async def filings_accepted(uow: EvaluationUnitOfWork, events: list[Received[FilingAccepted]]) -> None:
    """Filings are most of the traffic: a run of them is re-graded set-based (`regrade_filings`)."""
    async with uow:
        await regrade_filings(uow, events)


async def findings_recorded(uow: EvaluationUnitOfWork, events: list[Received[FindingRecorded]]) -> None:
    async with uow:
        for event in events:
            await uow.facts.record_finding(event.data)
            await regrade_parcels(uow, [event.data.parcel_id], None, event)


async def cases_changed(uow: EvaluationUnitOfWork, events: list[Received[CaseChanged]]) -> None:
    async with uow:
        for event in events:
            await uow.facts.record_case(event.data)
            if event.data.state == "rectified":
                await regrade_parcels(uow, [event.data.parcel_id], None, event)
