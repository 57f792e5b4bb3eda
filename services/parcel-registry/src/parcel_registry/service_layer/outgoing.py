"""Published events built from the domain. ID numbers never enter them: people are referenced by
their person reference (a keyed hash).

The events of one accepted chunk of filings: each share of an accepted filing gives a
``FilingAccepted`` keyed by its parcel, carrying that parcel-year's totals after the whole chunk.
A parcel-year whose totals changed without receiving a share — the filing was corrected away from
it, or an annual filing superseded quarterly ones attributed there — gets a ``FilingAccepted`` with
zero attributed amounts, so a consumer that keeps the latest totals stays right. A share on a
parcel its filer does not lawfully occupy also gives a ``SuspectedOccupant`` for the street office.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from landgrade_events.registry import (
    Commitment,
    Deadline,
    EnterpriseChanged,
    FilingAccepted,
    Flag,
    HolderPeriod,
    LeaseChanged,
    ParcelChanged,
    ResponsiblePersonRef,
    Shareholder,
    SuspectedOccupant,
)
from landgrade_reference.jurisdictions import jurisdiction
from parcel_registry.domain.attribution import Attribution, ShareStatus
from parcel_registry.domain.contracts import YearlyCommitment
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.output import Totals
from parcel_registry.domain.parcels import Parcel
from parcel_registry.domain.records import StoredEnterprise
from servicekit.events import EventData

MAX_EXPANDED_YEARS = 50


def street_name(code: str) -> str:
    """The Chinese name (荣华街道) every service and jurisdiction-bound token uses."""
    return jurisdiction(code).name_zh


def _commitments(c: YearlyCommitment) -> list[Commitment]:
    """Consumers pick a commitment by year (or the one without a year), so bounded spans travel
    as one entry per year; an open-ended span travels once, without a year."""
    def entry(year: int | None) -> Commitment:
        return Commitment(year=year, output_value=c.output_value, tax_paid=c.tax, from_year=c.from_year,
                          to_year=c.to_year)

    if c.to_year is None or c.to_year - c.from_year >= MAX_EXPANDED_YEARS:
        return [entry(None)]
    return [entry(y) for y in range(c.from_year, c.to_year + 1)]


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
        holders=[HolderPeriod(uscc=h.uscc, valid_from=h.valid_from, valid_to=h.valid_to, document_ref=h.document_ref)
                 for h in p.holders],
        predecessors=list(p.predecessors),
        ended_on=p.ended_on,
        ended_by=p.ending.act if p.ending else None,
        successors=list(p.successors),
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


UNAPPROVED_LEASE_REASON = "未经批准的租赁登记：租赁 {lease_id}，承租人 {uscc}，面积 {area} 平方米，地块 {parcel_id}"


def unapproved_lease(lease: Lease, street_code: str) -> SuspectedOccupant:
    """A lease registered or changed without the Administrative Committee's approval: its tenant
    occupies the parcel unlawfully until approved, so the street office should go and look."""
    return SuspectedOccupant(
        parcel_id=lease.parcel_id,
        street=street_name(street_code),
        uscc=lease.tenant,
        lease_id=lease.lease_id,
        year=lease.starts_on.year,
        reason=UNAPPROVED_LEASE_REASON.format(lease_id=lease.lease_id, uscc=lease.tenant, area=lease.area_m2,
                                              parcel_id=lease.parcel_id),
    )


def enterprise_changed(stored: StoredEnterprise, effective_on: date | None = None) -> EnterpriseChanged:
    return EnterpriseChanged(
        effective_on=effective_on,
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


SUSPECTED_REASON = (
    "filing {filing_id} of {uscc} names parcel {parcel_id}, where the enterprise is neither the rights holder "
    "nor an approved tenant: possibly an unauthorised lease"
)


NOTHING_COUNTED = Totals()


def _accepted(
    f: RevenueFiling, parcel_id: str, year: int, output: Decimal, tax: Decimal, counted: bool, totals: Totals
) -> FilingAccepted:
    """`year` is the parcel-year announced: the filing's own, or one a correction moved it away from."""
    return FilingAccepted(
        filing_id=f.filing_id,
        revision=f.revision,
        uscc=f.uscc,
        parcel_id=parcel_id,
        year=year,
        quarter=f.quarter,
        attributed_output=output,
        attributed_tax=tax,
        counted=counted,
        parcel_year_output=totals.output_value,
        parcel_year_tax=totals.tax_paid,
        parcel_year_filings=totals.filings,
        parcel_year_contributors=list(totals.contributors),
    )


def chunk_events(
    attributions: Sequence[tuple[RevenueFiling, Attribution]],
    totals: Mapping[tuple[str, int], Totals],
    before: Iterable[tuple[str, str, int]],
    after: Iterable[tuple[str, str, int]],
    streets: Mapping[str, str],
) -> list[EventData]:
    """``totals``: each touched parcel-year's after the chunk; one missing has nothing counted."""

    def total(parcel_id: str, year: int) -> Totals:
        return totals.get((parcel_id, year), NOTHING_COUNTED)

    events: list[EventData] = []
    announced: set[tuple[str, int]] = set()
    for f, a in attributions:
        for s in a.shares:
            counted = s.status is ShareStatus.COUNTED
            events.append(
                _accepted(f, s.parcel_id, f.year, s.output_value, s.tax_paid, counted, total(s.parcel_id, f.year))
            )
            announced.add((s.parcel_id, f.year))
            if not counted:
                reason = SUSPECTED_REASON.format(filing_id=f.filing_id, uscc=f.uscc, parcel_id=s.parcel_id)
                events.append(
                    SuspectedOccupant(
                        parcel_id=s.parcel_id,
                        street=street_name(streets[s.parcel_id]),
                        uscc=f.uscc,
                        filing_id=f.filing_id,
                        year=f.year,
                        reason=reason,
                    )
                )
    # Parcel-years that lost or regained money without a share of their own in this chunk.
    cause_by_filing = {f.filing_id: f for f, _ in attributions}
    cause_by_enterprise = {(f.uscc, f.year): f for f, _ in attributions}
    causes = [(cause_by_filing[fid], p, y) for fid, p, y in before if fid in cause_by_filing]
    causes += [(cause_by_enterprise[(u, y)], p, y) for u, p, y in after if (u, y) in cause_by_enterprise]
    for cause, parcel_id, year in sorted(causes, key=lambda c: (c[1], c[2], c[0].filing_id)):
        if (parcel_id, year) not in announced:
            announced.add((parcel_id, year))
            events.append(_accepted(cause, parcel_id, year, Decimal(0), Decimal(0), True, total(parcel_id, year)))
    return events
