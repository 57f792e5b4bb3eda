"""From the facts this service keeps (its projection of registry and enforcement events) to the
ParcelFacts of one parcel and year.

A fact is dated and counts only for the years its validity covers: a flag from its `since`, a
finding from the day of the inspection (Beijing time), a lease from its start, a deadline from
the day it fell due. Nothing that begins after a year's last day changes that year's grade.
Whether a violation is rectified is taken as it stands now (rectification is re-evaluated, III.6)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from evaluation.domain.facts import (
    Category,
    Commitment,
    ContractBreach,
    HolderAttitude,
    ParcelFacts,
    Violation,
    ViolationKind,
)
from evaluation.domain.holders import HolderSpan, holders_in, year_holder
from evaluation.domain.ruleset import YearHolder

VIOLATION_FINDINGS = frozenset(k.value for k in ViolationKind)
BEIJING = ZoneInfo("Asia/Shanghai")  # E-Town's days turn at Beijing midnight


@dataclass(frozen=True)
class CommitmentRecord:
    year: int | None  # None: the commitment applies to every year from `from_year` on
    output_value: Decimal
    tax_paid: Decimal
    from_year: int | None = None


@dataclass(frozen=True)
class DeadlineRecord:
    kind: str
    due: date
    met_on: date | None = None


@dataclass(frozen=True)
class FlagRecord:
    """A registry flag: litigation, abandoned or residential_conversion."""

    kind: str
    since: date
    cleared_on: date | None = None


@dataclass(frozen=True)
class ParcelRecord:
    parcel_id: str
    street: str
    category: str
    area_m2: Decimal
    holder_uscc: str  # the current holder
    commitments: tuple[CommitmentRecord, ...] = ()
    deadlines: tuple[DeadlineRecord, ...] = ()
    flags: tuple[FlagRecord, ...] = ()
    holders: tuple[HolderSpan, ...] = ()  # dated periods, oldest first (none: `holder_uscc` throughout)

    def holder_for(self, year: int, rule: YearHolder) -> str:
        return year_holder(self.holders, year, rule, self.holder_uscc)

    def holders_of_year(self, year: int) -> list[str]:
        return holders_in(self.holders, year) or [self.holder_uscc]


@dataclass(frozen=True)
class LeaseRecord:
    lease_id: str
    tenant_uscc: str
    approved: bool
    equity_linked: bool
    end: date | None = None
    rectified: bool = False
    start: date | None = None  # unknown: taken as in force since before any graded year


@dataclass(frozen=True)
class FindingRecord:
    finding_id: str
    type: str
    inspected_at: datetime
    tenant_uscc: str | None = None
    holder_attitude: str | None = None
    rectified: bool = False


@dataclass(frozen=True)
class RevenueRecord:
    output_value: Decimal
    tax_paid: Decimal
    contributors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParcelSources:
    """Everything known about one parcel, as loaded from the projection tables."""

    parcel: ParcelRecord
    leases: tuple[LeaseRecord, ...] = ()
    findings: tuple[FindingRecord, ...] = ()
    revenue: dict[int, RevenueRecord] = field(default_factory=dict)


Linked = Callable[[str, str], bool]


def assemble_facts(sources: ParcelSources, year: int, linked: Linked, today: date,
                   holder_rule: YearHolder = YearHolder.LAST_DAY) -> ParcelFacts:
    """The facts of `year`, held by the holder who answers for that year under `holder_rule`."""
    parcel = sources.parcel
    revenue = sources.revenue.get(year)
    holder = parcel.holder_for(year, holder_rule)
    return ParcelFacts(
        parcel_id=parcel.parcel_id,
        holder_uscc=holder,
        street=parcel.street,
        category=Category(parcel.category),
        area_m2=parcel.area_m2,
        year=year,
        output_value=revenue.output_value if revenue else Decimal(0),
        tax_paid=revenue.tax_paid if revenue else Decimal(0),
        has_filing=revenue is not None,
        commitment=_commitment(parcel.commitments, year),
        violations=_violations(sources, year, holder, linked, today),
        breaches=_breaches(parcel.deadlines, year, today),
        contributing_usccs=revenue.contributors if revenue else (),
    )


def _commitment(commitments: Iterable[CommitmentRecord], year: int) -> Commitment | None:
    # An open-ended commitment binds only from the year the contract says it starts.
    by_year = {c.year: c for c in commitments if c.year is not None or c.from_year is None or c.from_year <= year}
    chosen = by_year.get(year) or by_year.get(None)
    return Commitment(chosen.output_value, chosen.tax_paid) if chosen else None


def found_on(finding: FindingRecord) -> date:
    """The day of the inspection in Beijing: a finding at 07:00 UTC on 31 December is one of 1 January."""
    at = finding.inspected_at
    return (at.astimezone(BEIJING) if at.tzinfo else at).date()


def _violations(sources: ParcelSources, year: int, holder: str, linked: Linked,
                today: date) -> tuple[Violation, ...]:
    parcel = sources.parcel
    first, last = date(year, 1, 1), date(year, 12, 31)
    found: list[Violation] = []
    for flag in parcel.flags:
        if flag.since > last:
            continue  # flagged after the year ended: a later year's fact
        if flag.cleared_on is None or flag.cleared_on >= first:
            found.append(Violation(f"registry:{flag.kind}:{flag.since.isoformat()}", ViolationKind(flag.kind),
                                   rectified=flag.cleared_on is not None))
    approved = {lease.tenant_uscc for lease in sources.leases if lease.approved}
    registry_link = {lease.tenant_uscc: lease.equity_linked for lease in sources.leases}

    def link(tenant: str) -> bool:
        return bool(tenant) and (registry_link.get(tenant, False) or linked(holder, tenant))

    latest: dict[tuple[str, str], FindingRecord] = {}
    for finding in sorted(sources.findings, key=lambda f: (f.inspected_at, f.finding_id)):
        if finding.type in VIOLATION_FINDINGS and found_on(finding) <= last:
            latest[(finding.type, finding.tenant_uscc or "")] = finding
    for (kind, tenant), finding in sorted(latest.items()):
        if kind == ViolationKind.UNAUTHORISED_LEASE and tenant in approved:
            continue  # the Administrative Committee has approved the lease since
        found.append(Violation(
            finding.finding_id, ViolationKind(kind), tenant_uscc=finding.tenant_uscc,
            equity_linked=link(tenant),
            holder_attitude=HolderAttitude(finding.holder_attitude or HolderAttitude.UNDETERMINED),
            rectified=finding.rectified,
        ))
    inspected = {tenant for kind, tenant in latest if kind == ViolationKind.UNAUTHORISED_LEASE}
    for lease in sources.leases:
        if lease.approved or lease.tenant_uscc in inspected or (lease.end and lease.end < today):
            continue
        if (lease.start and lease.start > last) or (lease.end and lease.end < first):
            continue  # not in force during the year
        found.append(Violation(f"lease:{lease.lease_id}", ViolationKind.UNAUTHORISED_LEASE,
                               tenant_uscc=lease.tenant_uscc, rectified=lease.rectified,
                               equity_linked=link(lease.tenant_uscc)))
    return tuple(found)


def _breaches(deadlines: Iterable[DeadlineRecord], year: int, today: date) -> tuple[ContractBreach, ...]:
    breaches = []
    for deadline in deadlines:
        if deadline.due >= today or (deadline.met_on is not None and deadline.met_on <= deadline.due):
            continue  # not due yet, or met in time
        if deadline.due > date(year, 12, 31):
            continue  # missed in a later year: that year's breach
        breaches.append(ContractBreach(
            breach_id=f"deadline:{deadline.kind}:{deadline.due.isoformat()}", description=deadline.kind,
            due_date=deadline.due, rectified=deadline.met_on is not None,
        ))
    return tuple(breaches)


def tenant_pairs(sources: Iterable[ParcelSources], year: int) -> set[tuple[str, str]]:
    """(holder, tenant) pairs whose equity link the facts of `year` may need: with each holder of
    some day of the year, whichever the ruleset makes answer for it."""
    pairs = set()
    for s in sources:
        tenants = {lease.tenant_uscc for lease in s.leases if not lease.approved}
        tenants |= {f.tenant_uscc for f in s.findings if f.type == "unauthorised_lease" and f.tenant_uscc}
        pairs |= {(holder, t) for holder in s.parcel.holders_of_year(year) for t in tenants}
    return pairs


def contributors_after(named: Iterable[str] | None, filer: str, counted: bool, before: Iterable[str]) -> list[str]:
    """A parcel-year's contributors once a filing is stored over `before`: the filing's own list
    when it names one (a correction can take one away), else `before` plus its counted filer."""
    if named is not None:
        return sorted(set(named))
    return sorted(set(before) | ({filer} if counted else set()))
