"""Parcels and leases to table rows and back (JSON columns hold the sub-lists)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from parcel_registry.domain.contracts import ContractedDeadline, ContractTerms, YearlyCommitment
from parcel_registry.domain.holders import HolderPeriod, first_periods
from parcel_registry.domain.leases import Lease, LeaseApproval
from parcel_registry.domain.parcels import Ending, FlagKind, Parcel, ParcelCategory, ParcelFlag
from parcel_registry.domain.stored import rebuilt


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parcel_row(p: Parcel) -> dict[str, Any]:
    terms = p.contract_terms
    return {
        "parcel_id": p.parcel_id,
        "name": p.name,
        "address": p.address,
        "jurisdiction": p.jurisdiction,
        "area_m2": p.area_m2,
        "category": p.category.value,
        "rights_holder": p.rights_holder,
        "geometry": dict(p.geometry) if p.geometry is not None else None,
        "commitments": [
            {"from_year": c.from_year, "to_year": c.to_year, "output_value": str(c.output_value), "tax": str(c.tax)}
            for c in terms.commitments
        ],
        "deadlines": [
            {"kind": d.kind, "due_on": _iso(d.due_on), "met_on": _iso(d.met_on), "note": d.note}
            for d in terms.deadlines
        ],
        "flags": [
            {
                "kind": f.kind.value,
                "since": _iso(f.since),
                "source": f.source,
                "cleared_on": _iso(f.cleared_on),
                "note": f.note,
            }
            for f in p.flags
        ],
        "holders": [
            {"uscc": h.uscc, "valid_from": _iso(h.valid_from), "valid_to": _iso(h.valid_to),
             "document_ref": h.document_ref}
            for h in p.holders
        ],
        "lineage": _lineage(p),
        "ended_on": p.ended_on,
    }


def _lineage(p: Parcel) -> dict[str, Any]:
    lineage: dict[str, Any] = {}
    if p.predecessors:
        lineage["predecessors"] = list(p.predecessors)
    if p.ending is not None:
        lineage["ending"] = {"on": p.ending.on.isoformat(), "act": p.ending.act,
                             "document_ref": p.ending.document_ref, "successors": list(p.ending.successors)}
    return lineage


def _ending(lineage: dict[str, Any]) -> Ending | None:
    end = lineage.get("ending")
    if not end:
        return None
    return rebuilt(Ending, on=date.fromisoformat(end["on"]), act=end["act"], document_ref=end["document_ref"],
                   successors=tuple(end["successors"]))


def parcel_from_row(row: Any) -> Parcel:
    commitments = tuple(
        YearlyCommitment(c["from_year"], Decimal(c["output_value"]), Decimal(c["tax"]), c["to_year"])
        for c in row["commitments"]
    )
    deadlines = tuple(
        ContractedDeadline(d["kind"], date.fromisoformat(d["due_on"]), _day(d["met_on"]), d.get("note", ""))
        for d in row["deadlines"]
    )
    flags = tuple(
        ParcelFlag(
            FlagKind(f["kind"]), date.fromisoformat(f["since"]), f["source"], _day(f["cleared_on"]), f.get("note", "")
        )
        for f in row["flags"]
    )
    holders = tuple(
        HolderPeriod(h["uscc"], _day(h["valid_from"]), _day(h["valid_to"]), h.get("document_ref", ""))
        for h in row.get("holders") or ()
    ) or first_periods(row["rights_holder"])
    return rebuilt(
        Parcel,
        parcel_id=row["parcel_id"],
        name=row["name"],
        jurisdiction=row["jurisdiction"],
        area_m2=Decimal(row["area_m2"]),
        category=ParcelCategory(row["category"]),
        rights_holder=row["rights_holder"],
        address=row["address"],
        geometry=row["geometry"],
        contract_terms=ContractTerms(commitments, deadlines),
        flags=flags,
        holders=holders,
        predecessors=tuple((row.get("lineage") or {}).get("predecessors", ())),
        ending=_ending(row.get("lineage") or {}),
    )


def lease_row(lease: Lease) -> dict[str, Any]:
    approval = lease.approval
    return {
        "parcel_id": lease.parcel_id,
        "lease_id": lease.lease_id,
        "tenant": lease.tenant,
        "area_m2": lease.area_m2,
        "starts_on": lease.starts_on,
        "ends_on": lease.ends_on,
        "approval_reference": approval.reference if approval else None,
        "approval_date": approval.approved_on if approval else None,
    }


def lease_from_row(row: Any) -> Lease:
    approval = (
        LeaseApproval(row["approval_reference"], row["approval_date"]) if row["approval_date"] is not None else None
    )
    return Lease(
        row["lease_id"],
        row["parcel_id"],
        row["tenant"],
        Decimal(row["area_m2"]),
        row["starts_on"],
        row["ends_on"],
        approval,
    )
