"""The registry's and enforcement's events: keep the fact, then re-grade what it touches.

Each handler runs in the inbox's transaction, so the fact, the new evaluation and its grade event
commit together with the consumed event id: a redelivery changes nothing. A handler takes a run
of consecutive events of its type, with the effects each would have had alone; the fallback path
hands it a list of one.

Every USCC an event carries is normalised and checked (`parse_uscc`) before anything is kept or
compared: an event naming an invalid one can never be applied, and goes to the dead-letter topic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from evaluation.domain import timeline
from evaluation.domain.identifiers import InvalidUscc, parse_uscc
from evaluation.service_layer.grading import regrade_filings, regrade_parcels
from evaluation.service_layer.monitoring import follow_filings
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged
from servicekit.events import EventData
from servicekit.inbox import PoisonEvent, Received

E = TypeVar("E", bound=EventData)


def _uscc(received: Received[Any], field: str, value: str) -> str:
    try:
        return parse_uscc(value)
    except InvalidUscc as bad:
        raise PoisonEvent(f"{received.data.TYPE} {received.event_id}: {field} is not a valid USCC ({bad})") from None


def _optional_uscc(received: Received[Any], field: str, value: str | None) -> str | None:
    return None if value is None else _uscc(received, field, value)


def checked(received: Received[E]) -> Received[E]:
    """The event with each of its USCCs normalised; `PoisonEvent` when one is not a valid USCC."""
    data: Any = received.data
    if isinstance(data, ParcelChanged):
        data = data.model_copy(update={"holder_uscc": _uscc(received, "holder_uscc", data.holder_uscc)})
    elif isinstance(data, LeaseChanged):
        data = data.model_copy(update={"tenant_uscc": _uscc(received, "tenant_uscc", data.tenant_uscc)})
    elif isinstance(data, EnterpriseChanged):
        shareholders = [s.model_copy(update={"uscc": _optional_uscc(received, f"shareholders.{i}.uscc", s.uscc)})
                        for i, s in enumerate(data.shareholders)]
        data = data.model_copy(update={"uscc": _uscc(received, "uscc", data.uscc), "shareholders": shareholders})
    elif isinstance(data, FilingAccepted):
        contributors = data.parcel_year_contributors
        data = data.model_copy(update={
            "uscc": _uscc(received, "uscc", data.uscc),
            "parcel_year_contributors": None if contributors is None else [
                _uscc(received, f"parcel_year_contributors.{i}", c) for i, c in enumerate(contributors)]})
    elif isinstance(data, FindingRecorded):
        data = data.model_copy(update={"tenant_uscc": _optional_uscc(received, "tenant_uscc", data.tenant_uscc)})
    return received if data is received.data else Received(data, received.delivery)


def _recorded_at(received: Received[Any]) -> datetime:
    return received.delivery.event.time


async def parcels_changed(uow: EvaluationUnitOfWork, events: list[Received[ParcelChanged]]) -> None:
    """A parcel's first upsert also writes what the filings that arrived before it imply (they
    wait in `filings_awaiting_parcel`, taken under the parcels' timeline locks: see
    `_suspected_occupants`); a parcel already known has none waiting."""
    async with uow:
        events = [checked(event) for event in events]
        ids = [event.data.parcel_id for event in events]
        await uow.timeline.lock_parcels(ids)
        awaited = await uow.timeline.take_awaiting(ids)
        for event in events:
            parcel = event.data
            holders = [(h.uscc, h.valid_from) for h in parcel.holders or ()]
            await uow.timeline.append(parcel.parcel_id, timeline.holder_entries(
                event.event_id, parcel.holder_uscc, parcel.version, holders,
                await uow.timeline.stored_holder(parcel.parcel_id), _recorded_at(event)))
            await uow.facts.upsert_parcel(event.data)
            if waiting := awaited.pop(parcel.parcel_id, None):
                occupants = await uow.timeline.occupants([parcel.parcel_id])
                await uow.timeline.append(parcel.parcel_id, timeline.arrival_entries(
                    waiting, occupants[parcel.parcel_id]))
            await regrade_parcels(uow, [event.data.parcel_id], None, event)


async def leases_changed(uow: EvaluationUnitOfWork, events: list[Received[LeaseChanged]]) -> None:
    async with uow:
        for event in map(checked, events):
            lease = event.data
            stored = await uow.timeline.stored_lease(lease.parcel_id, lease.lease_id)
            now = timeline.StoredLease(lease.tenant_uscc, lease.area_m2, lease.approved, lease.start, lease.end)
            await uow.timeline.append(lease.parcel_id, timeline.lease_entries(
                event.event_id, lease.lease_id, now, stored, _recorded_at(event)))
            await uow.facts.upsert_lease(event.data)
            await regrade_parcels(uow, [event.data.parcel_id], None, event)


async def enterprises_changed(uow: EvaluationUnitOfWork, events: list[Received[EnterpriseChanged]]) -> None:
    async with uow:
        for event in map(checked, events):
            await uow.facts.replace_shareholdings(event.data)
            await regrade_parcels(uow, await uow.facts.parcels_touching(event.data.uscc), None, event)


async def filings_accepted(uow: EvaluationUnitOfWork, events: list[Received[FilingAccepted]]) -> None:
    """Filings are most of the traffic: a run of them is re-graded set-based (`regrade_filings`)."""
    async with uow:
        filings = [checked(event) for event in events]
        await _suspected_occupants(uow, filings)
        await regrade_filings(uow, filings)
        await follow_filings(uow, filings)  # after the re-grade: a warning protects the grade now held


async def _suspected_occupants(uow: EvaluationUnitOfWork, filings: list[Received[FilingAccepted]]) -> None:
    """A filing the registry did not count (its filer is neither holder nor approved tenant) may
    bring a suspected occupant onto the parcel's timeline; counted ones never do, so the common
    run of filings costs no extra query.

    One naming a parcel not known yet waits for it (`parcels_changed` writes its entry). Whether the
    parcel is known is settled under the parcel's timeline lock, which its arrival takes too: read
    without it, a filing and its parcel committing side by side would each miss the other."""
    uncounted = [f for f in filings if not f.data.counted]
    if not uncounted:
        return
    occupants = await uow.timeline.occupants(sorted({f.data.parcel_id for f in uncounted}))
    unknown = sorted({f.data.parcel_id for f in uncounted} - occupants.keys())
    if unknown:
        await uow.timeline.lock_parcels(unknown)
        occupants |= await uow.timeline.occupants(unknown)  # a parcel may have arrived meanwhile
    awaiting: dict[str, list[timeline.AwaitedFiling]] = {}
    for received in uncounted:
        filing = received.data
        known = occupants.get(filing.parcel_id)
        if known is None:
            awaiting.setdefault(filing.parcel_id, []).append(timeline.AwaitedFiling(
                filing.uscc, filing.filing_id, filing.year, _recorded_at(received)))
            continue
        await uow.timeline.append(filing.parcel_id, timeline.filing_entries(
            filing.uscc, filing.filing_id, filing.year, known, _recorded_at(received)))
    for parcel_id, waiting in awaiting.items():
        await uow.timeline.await_parcel(parcel_id, waiting)


async def findings_recorded(uow: EvaluationUnitOfWork, events: list[Received[FindingRecorded]]) -> None:
    async with uow:
        for event in map(checked, events):
            finding = event.data
            await uow.timeline.append(finding.parcel_id, timeline.finding_entries(
                finding.finding_id, finding.type, finding.inspected_at, finding.tenant_uscc))
            await uow.facts.record_finding(event.data)
            await regrade_parcels(uow, [event.data.parcel_id], None, event)


async def cases_changed(uow: EvaluationUnitOfWork, events: list[Received[CaseChanged]]) -> None:
    async with uow:
        for event in events:
            case = event.data
            await uow.timeline.append(case.parcel_id, timeline.case_entries(
                case.case_id, case.kind, case.state, case.previous_state, case.at))
            await uow.facts.record_case(event.data)
            if event.data.state == "rectified":
                await regrade_parcels(uow, [event.data.parcel_id], None, event)
