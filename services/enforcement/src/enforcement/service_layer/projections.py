"""Keeping this service's view of the registry: parcel streets and suspected-occupant tasks (a new
task tells its street office, in the same transaction; so does one a lease's approval withdraws)."""

from __future__ import annotations

import uuid

from enforcement.domain.notices import for_new_task, for_withdrawn_task
from enforcement.domain.projections import LeaseApproval, ParcelView, SuspicionReport, withdraws
from enforcement.service_layer.inspections import record_pending
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_events.registry import LeaseChanged, ParcelChanged, SuspectedOccupant
from servicekit.inbox import Received


async def on_parcel_changed(uow: EnforcementUnitOfWork, events: list[Received[ParcelChanged]]) -> None:
    """The newest registry version of each parcel (an older redelivered state never wins); the
    inspections that were waiting for a parcel are recorded (or refused) once it is known."""
    async with uow:
        await uow.projections.lock_parcels([r.data.parcel_id for r in events])
        last: dict[str, Received[ParcelChanged]] = {}
        for received in events:
            parcel = received.data
            view = ParcelView(parcel.parcel_id, parcel.name, parcel.street, parcel.holder_uscc)
            await uow.projections.upsert_parcel(view, parcel.version, uow.clock())
            last[parcel.parcel_id] = received
        for pending in await uow.inspections.pending_for(list(last)):
            parcel_id = pending.inspection.parcel_id
            known = await uow.projections.parcel(parcel_id)
            if known is not None:
                with last[parcel_id].traced():
                    await record_pending(uow, pending, known)


async def on_suspected_occupant(uow: EnforcementUnitOfWork, events: list[Received[SuspectedOccupant]]) -> None:
    """An enterprise filing revenue on a parcel it neither holds nor rents with approval, or a lease
    of it registered without approval: the parcel's street office should go and look (a possible
    unauthorised lease). A new task is a notice to the
    street office; a repeated report (or a redelivered one) refreshes the open task and tells no one."""
    async with uow:
        for received in events:
            report = received.data
            proposed = str(uuid.uuid4())
            task_id = await uow.projections.report_suspicion(SuspicionReport(
                task_id=proposed, parcel_id=report.parcel_id, street=report.street,
                suspected_uscc=report.uscc, reason=report.reason, filing_id=report.filing_id, year=report.year,
                lease_id=report.lease_id, reported_at=uow.clock()))
            if task_id != proposed:
                continue
            task = await uow.projections.task(task_id)
            assert task is not None  # written just now, in this transaction
            await uow.notices.add([for_new_task(task, uow.task_notices)])


async def on_lease_changed(uow: EnforcementUnitOfWork, events: list[Received[LeaseChanged]]) -> None:
    """A lease approved by the Administrative Committee withdraws the open task about its tenant on
    the parcel when the task is about that lease, or about a filing for a year it covers
    (`withdraws`), and tells the street office, in the same transaction. A lease registered or
    changed without approval changes no task here (the registry reports it as a suspected occupant);
    a redelivered approval finds no open task and tells no one again."""
    async with uow:
        for received in events:
            lease = received.data
            if not lease.approved:
                continue
            approval = LeaseApproval(lease.parcel_id, lease.lease_id, lease.tenant_uscc, lease.start, lease.end,
                                     lease.approval_ref, lease.approval_date)
            task = await uow.projections.open_task(lease.parcel_id, lease.tenant_uscc)
            if task is None or not withdraws(approval, task):
                continue
            if not await uow.projections.withdraw_task(task.task_id, approval, uow.clock()):
                continue  # an inspection made it done meanwhile
            withdrawn = await uow.projections.task(task.task_id)
            assert withdrawn is not None  # written just now, in this transaction
            await uow.notices.add([for_withdrawn_task(withdrawn)])
