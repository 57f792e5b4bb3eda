"""Event payloads built from the domain. ID numbers never enter them: people are referenced by
their person reference (a keyed hash)."""

from __future__ import annotations

from landgrade_events.registry import (
    Commitment,
    Deadline,
    EnterpriseChanged,
    Flag,
    LeaseChanged,
    ParcelChanged,
    ResponsiblePersonRef,
    Shareholder,
)
from landgrade_reference.jurisdictions import jurisdiction
from parcel_registry.adapters.enterprise_store import StoredEnterprise
from parcel_registry.domain.contracts import YearlyCommitment
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.parcels import Parcel

MAX_EXPANDED_YEARS = 50


def street_name(code: str) -> str:
    """The Chinese name (荣华街道) every service and jurisdiction-bound token uses."""
    return jurisdiction(code).name_zh


def _commitments(c: YearlyCommitment) -> list[Commitment]:
    """Consumers pick a commitment by year (or the one without a year), so bounded spans travel
    as one entry per year; an open-ended span travels once, without a year."""
    common = {"output_value": c.output_value, "tax_paid": c.tax, "from_year": c.from_year, "to_year": c.to_year}
    if c.to_year is None or c.to_year - c.from_year >= MAX_EXPANDED_YEARS:
        return [Commitment(year=None, **common)]
    return [Commitment(year=y, **common) for y in range(c.from_year, c.to_year + 1)]


def parcel_changed(p: Parcel, version: int) -> ParcelChanged:
    terms = p.contract_terms
    return ParcelChanged(
        parcel_id=p.parcel_id,
        name=p.name,
        street=street_name(p.jurisdiction),
        category=p.category.value,
        area_m2=p.area_m2,
        holder_uscc=p.rights_holder,
        commitments=[entry for c in terms.commitments for entry in _commitments(c)],
        deadlines=[Deadline(kind=d.kind, due=d.due_on, met_on=d.met_on) for d in terms.deadlines],
        flags=[Flag(kind=f.kind.value, since=f.since, source=f.source, cleared_on=f.cleared_on) for f in p.flags],
        version=version,
    )


def lease_changed(lease: Lease, equity_linked: bool) -> LeaseChanged:
    approval = lease.approval
    return LeaseChanged(
        parcel_id=lease.parcel_id,
        lease_id=lease.lease_id,
        tenant_uscc=lease.tenant,
        area_m2=lease.area_m2,
        start=lease.starts_on,
        end=lease.ends_on,
        approved=approval is not None,
        approval_ref=approval.reference if approval else None,
        approval_date=approval.approved_on if approval else None,
        equity_linked=equity_linked,
    )


def enterprise_changed(stored: StoredEnterprise) -> EnterpriseChanged:
    return EnterpriseChanged(
        uscc=stored.row["uscc"],
        name=stored.row["name"],
        status=stored.row["status"],
        responsible_persons=[
            ResponsiblePersonRef(person_ref=p["person_ref"], name=p["name"], role=p["role"]) for p in stored.persons
        ],
        shareholders=[
            Shareholder(
                kind=s["kind"], uscc=s["holder_uscc"], person_ref=s["person_ref"], name=s["name"], share=s["share_pct"]
            )
            for s in stored.shareholders
        ],
    )
