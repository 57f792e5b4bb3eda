"""Synthetic parcels for tests and benchmarks: rows for the facts tables, and the facts they
should give. Built independently of the service's own loader, so a yearly run can be checked
against `grade()` applied to these facts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from evaluation.adapters.tables import findings, leases, parcel_revenue, parcels
from evaluation.domain.facts import (
    Category,
    Commitment,
    ContractBreach,
    HolderAttitude,
    ParcelFacts,
    Violation,
    ViolationKind,
)

STREETS = ["荣华街道", "博兴街道", "亦庄镇", "旧宫镇", "台湖镇"]
ATTITUDES = [a.value for a in HolderAttitude]
FINDING_KINDS = [k.value for k in ViolationKind]


@dataclass
class Synthetic:
    facts: dict[str, ParcelFacts] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {
        "parcels": [], "leases": [], "findings": [], "parcel_revenue": []})

    async def write(self, session: Any) -> None:
        for table in (parcels, leases, findings, parcel_revenue):
            rows = self.rows[table.name]
            for start in range(0, len(rows), 2000):
                await session.execute(insert(table), rows[start:start + 2000])


def money(rng: random.Random, high: int) -> Decimal:
    return Decimal(rng.randrange(0, high * 100)) / 100


def build(count: int, year: int, prefix: str, seed: int = 7) -> Synthetic:
    rng = random.Random(seed)  # nosec B311  # repeatable synthetic data for benchmarks
    data = Synthetic()
    for i in range(count):
        parcel_id, holder = f"{prefix}-{i:06d}", f"9111{prefix[-6:]}{i:08d}"[:18]
        category = rng.choice(list(Category))
        area = Decimal(rng.randrange(2000, 60000))
        street = rng.choice(STREETS)
        commitment = None
        commitments = []
        if category is Category.RENEWAL_PARK and rng.random() < 0.7:
            commitment = Commitment(money(rng, 30_000_000_00) / 100, money(rng, 2_000_000_00) / 100)
            commitments = [{"year": None, "output_value": str(commitment.output_value),
                            "tax_paid": str(commitment.tax_paid)}]
        output = tax = Decimal(0)
        has_filing = rng.random() < 0.85
        if has_filing:
            output = money(rng, 1_200_000_000) * area / 10000
            output = output.quantize(Decimal("0.01"))
            tax = (money(rng, 60_000_000) * area / 10000).quantize(Decimal("0.01"))
            data.rows["parcel_revenue"].append({"parcel_id": parcel_id, "year": year, "output_value": output,
                                                "tax_paid": tax, "filings": 1, "contributors": [holder]})
        violations: list[Violation] = []
        flags: list[dict[str, Any]] = []
        if rng.random() < 0.03:
            since = date(year, 3, 1)
            flags.append({"kind": "litigation", "since": since.isoformat(), "source": "court"})
            violations.append(Violation(f"registry:litigation:{since.isoformat()}", ViolationKind.LITIGATION))
        if rng.random() < 0.12:
            kind = rng.choice(FINDING_KINDS)
            tenant = f"9122{i:014d}" if kind == "unauthorised_lease" else None
            attitude = rng.choice(ATTITUDES) if tenant else None
            rectified = rng.random() < 0.2
            # Inspected within the graded year (a later inspection is a later year's fact).
            at = datetime(year, 6, 1, tzinfo=UTC) + timedelta(seconds=i)
            fid = f"I-{parcel_id}#1"
            data.rows["findings"].append({
                "finding_id": fid, "inspection_id": f"I-{parcel_id}", "parcel_id": parcel_id, "type": kind,
                "tenant_uscc": tenant, "holder_attitude": attitude, "inspected_at": at,
                "rectified_at": at + timedelta(days=5) if rectified else None})
            violations.append(Violation(fid, ViolationKind(kind), tenant_uscc=tenant,
                                        holder_attitude=HolderAttitude(attitude or "undetermined"),
                                        rectified=rectified))
        if rng.random() < 0.05:
            tenant, linked = f"9133{i:014d}", rng.random() < 0.5
            data.rows["leases"].append({"parcel_id": parcel_id, "lease_id": "L1", "tenant_uscc": tenant,
                                        "area_m2": Decimal(100), "end_date": None, "approved": False,
                                        "equity_linked": linked, "rectified_at": None})
            violations.append(Violation("lease:L1", ViolationKind.UNAUTHORISED_LEASE, tenant_uscc=tenant,
                                        equity_linked=linked))
        deadlines: list[dict[str, Any]] = []
        breaches: list[ContractBreach] = []
        if rng.random() < 0.05:
            # Missed within the graded year (a later year's deadline is that year's breach), some met late.
            due = date(year, 3, 31)
            met = date(year, 9, 30) if rng.random() < 0.3 else None
            deadlines.append({"kind": "production_start", "due": due.isoformat(),
                              "met_on": met.isoformat() if met else None})
            breaches.append(ContractBreach(f"deadline:production_start:{due.isoformat()}",
                                           description="production_start", due_date=due, rectified=met is not None))
        data.rows["parcels"].append({
            "parcel_id": parcel_id, "name": parcel_id, "street": street, "category": category.value,
            "area_m2": area, "holder_uscc": holder, "commitments": commitments, "deadlines": deadlines,
            "flags": flags, "version": 1})
        data.facts[parcel_id] = ParcelFacts(
            parcel_id=parcel_id, holder_uscc=holder, street=street, category=category, area_m2=area, year=year,
            output_value=output, tax_paid=tax, has_filing=has_filing, commitment=commitment,
            violations=tuple(violations), breaches=tuple(breaches),
            contributing_usccs=(holder,) if has_filing else ())
    return data
