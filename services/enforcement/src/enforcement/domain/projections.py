"""What this service learns from the registry: parcels (for jurisdiction checks and case views)
and suspected occupants (inspection tasks for the parcel's street office)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal


@dataclass(frozen=True)
class ParcelView:
    parcel_id: str
    name: str
    street: str
    holder_uscc: str
    address: str | None = None
    holder_name: str | None = None


@dataclass(frozen=True)
class SuspicionReport:
    """The registry saw an enterprise file revenue on a parcel it neither holds nor rents with
    approval (`filing_id`), or register a lease of it without approval (`lease_id`)."""

    task_id: str
    parcel_id: str
    street: str
    suspected_uscc: str
    reason: str
    filing_id: str
    year: int
    reported_at: datetime
    lease_id: str | None = None


@dataclass(frozen=True)
class LeaseApproval:
    """The registry reports a lease approved by the Administrative Committee (its `LeaseChanged`
    with `approved`): its tenant rents the parcel lawfully for the lease's period."""

    parcel_id: str
    lease_id: str
    tenant_uscc: str
    start: date | None
    end: date | None
    approval_ref: str | None
    approval_date: date | None


@dataclass(frozen=True)
class InspectionTask:
    """One to-do item of a street office: go and look at this parcel. Open until an inspection
    of the parcel makes it done, or the approval of the lease it is about withdraws it."""

    task_id: str
    parcel_id: str
    street: str
    suspected_uscc: str
    reason: str
    filing_id: str
    year: int
    reports: int
    status: Literal["open", "done", "withdrawn"]
    created_at: datetime
    last_reported_at: datetime
    done_at: datetime | None  # when it was done or withdrawn
    done_by_inspection_id: str | None
    lease_id: str | None = None  # the unapproved lease that gave rise to the task (else a filing did)
    # Where to go and whose land it is, from the parcel projection (None: not reported yet).
    parcel_name: str | None = None
    parcel_address: str | None = None
    holder_uscc: str | None = None
    holder_name: str | None = None
    # The approval that withdrew the task (status "withdrawn"; else None).
    approval_lease_id: str | None = None
    approval_ref: str | None = None
    approval_date: date | None = None


def withdraws(approval: LeaseApproval, task: InspectionTask) -> bool:
    """Whether the lease's approval withdraws the open task: the task is about the lease's tenant
    on its parcel, and it came from this very lease, or from the tenant's filing for a year the
    approved lease covers (the filer is an approved tenant then). A task from another, still
    unapproved lease of the tenant, or from a filing for a year outside the lease, still wants a
    look; a task already done or withdrawn is left as it is."""
    if task.status != "open" or (task.parcel_id, task.suspected_uscc) != (approval.parcel_id, approval.tenant_uscc):
        return False
    if task.lease_id is not None:
        return task.lease_id == approval.lease_id
    return ((approval.start is None or approval.start.year <= task.year)
            and (approval.end is None or task.year <= approval.end.year))
