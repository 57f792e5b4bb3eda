"""Leases (出租): a rights holder letting space on its parcel to a tenant.

Only a lease approved by the Administrative Committee (管委会) is lawful; one without approval is
an unauthorised lease. Whether the tenant is equity-linked to the holder is not typed in: it is
derived from the shareholdings (see ``equity.py``), so it cannot drift from the registry's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from landgrade_reference.uscc import normalise_uscc

from .errors import FieldError, raise_if_any
from .identities import uscc_reasons
from .parcels import Parcel
from .values import area_problem, identifier_problem, text_problem


@dataclass(frozen=True)
class LeaseApproval:
    reference: str  # the committee's approval document number
    approved_on: date


@dataclass(frozen=True)
class Lease:
    lease_id: str
    parcel_id: str
    tenant: str  # USCC
    area_m2: Decimal
    starts_on: date
    ends_on: date | None = None  # open-ended when None
    approval: LeaseApproval | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tenant, str):
            object.__setattr__(self, "tenant", normalise_uscc(self.tenant))
        raise_if_any(lease_problems(self))

    @property
    def approved(self) -> bool:
        return self.approval is not None

    @property
    def is_unauthorised(self) -> bool:
        return self.approval is None

    def overlaps_year(self, year: int) -> bool:
        ends_after_new_year = self.ends_on is None or self.ends_on >= date(year, 1, 1)
        return self.starts_on <= date(year, 12, 31) and ends_after_new_year

    def is_active(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


def lease_problems(lease: Lease) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, problem in (
        ("lease_id", identifier_problem(lease.lease_id)),
        ("parcel_id", identifier_problem(lease.parcel_id)),
        ("area_m2", area_problem(lease.area_m2)),
    ):
        if problem:
            errors.append(FieldError(name, problem))
    errors += [FieldError("tenant", r) for r in uscc_reasons(lease.tenant)]
    if not isinstance(lease.starts_on, date):
        errors.append(FieldError("starts_on", "must be a date"))
    elif lease.ends_on is not None and lease.ends_on < lease.starts_on:
        errors.append(FieldError("ends_on", "must not be before starts_on"))
    if lease.approval is not None:
        if problem := text_problem(lease.approval.reference, max_length=100):
            errors.append(FieldError("approval_reference", problem))
        if not isinstance(lease.approval.approved_on, date):
            errors.append(FieldError("approval_date", "must be a date"))
    return errors


def approval_from_fields(approved: bool, reference: str | None, approved_on: date | None) -> LeaseApproval | None:
    """Builds the approval from the three API fields, refusing contradictory combinations."""
    errors = []
    if approved:
        if not reference:
            errors.append(FieldError("approval_reference", "an approved lease needs its reference"))
        if approved_on is None:
            errors.append(FieldError("approval_date", "an approved lease needs the approval's date"))
    else:
        if reference:
            errors.append(FieldError("approval_reference", "given, but approved is false"))
        if approved_on is not None:
            errors.append(FieldError("approval_date", "given, but approved is false"))
    raise_if_any(errors)
    return LeaseApproval(reference or "", approved_on) if approved and approved_on else None


def lease_problems_on(lease: Lease, parcel: Parcel, others: tuple[Lease, ...] = ()) -> list[FieldError]:
    """Rules that need the parcel: right parcel, tenant not the holder, space that exists.

    ``others`` are the parcel's other leases; overlapping leases together may not let more space
    than the parcel has (a lease replacing one with the same id is not counted twice).
    """
    errors = []
    if lease.parcel_id != parcel.parcel_id:
        errors.append(FieldError("parcel_id", "does not match the parcel"))
    if lease.tenant == parcel.rights_holder:
        errors.append(FieldError("tenant", "is the parcel's rights holder, who cannot lease from itself"))
    if lease.area_m2 > parcel.area_m2:
        errors.append(FieldError("area_m2", f"exceeds the parcel's area of {parcel.area_m2} m²"))
    elif _overlapping_area(lease, others) + lease.area_m2 > parcel.area_m2:
        errors.append(FieldError("area_m2", "with the other leases of the period exceeds the parcel"))
    return errors


def _overlapping_area(lease: Lease, others: tuple[Lease, ...]) -> Decimal:
    """The most space the other leases let at any one moment of this lease's period."""
    relevant = [
        o
        for o in others
        if o.lease_id != lease.lease_id
        and (lease.ends_on is None or o.starts_on <= lease.ends_on)
        and (o.ends_on is None or o.ends_on >= lease.starts_on)
    ]
    # The let area only rises when a lease starts, so checking each start date finds the peak.
    moments = {max(o.starts_on, lease.starts_on) for o in relevant}
    return max(
        (sum((o.area_m2 for o in relevant if o.is_active(moment)), Decimal(0)) for moment in moments),
        default=Decimal(0),
    )
