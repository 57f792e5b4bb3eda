"""What this service learns from the registry: parcels (for jurisdiction checks and case views)
and suspected occupants (inspection tasks for the parcel's street office)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
class InspectionTask:
    """One open (or done) to-do item of a street office: go and look at this parcel."""

    task_id: str
    parcel_id: str
    street: str
    suspected_uscc: str
    reason: str
    filing_id: str
    year: int
    reports: int
    status: Literal["open", "done"]
    created_at: datetime
    last_reported_at: datetime
    done_at: datetime | None
    done_by_inspection_id: str | None
    lease_id: str | None = None  # the unapproved lease that gave rise to the task (else a filing did)
    # Where to go and whose land it is, from the parcel projection (None: not reported yet).
    parcel_name: str | None = None
    parcel_address: str | None = None
    holder_uscc: str | None = None
    holder_name: str | None = None
