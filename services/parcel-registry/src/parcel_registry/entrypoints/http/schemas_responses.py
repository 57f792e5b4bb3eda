"""Response bodies. Amounts are decimal strings (never floats); ID numbers are masked unless the
caller is an ``admin``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from landgrade_reference.jurisdictions import jurisdiction
from parcel_registry.domain.attribution import Attribution, Share
from parcel_registry.domain.equity import EquityPath, EquityRules
from parcel_registry.domain.filings import Outcome, RevenueFiling
from parcel_registry.domain.holders import holder_on
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.output import Contribution, ParcelOutput
from parcel_registry.domain.parcels import Parcel
from parcel_registry.domain.records import Stored, StoredEnterprise
from parcel_registry.domain.values import FEN
from parcel_registry.service_layer.filings import LineResult
from parcel_registry.service_layer.queries import FilingRevision, HistoryPage, ParcelPage, Related
from servicekit.clock import BEIJING


def plain(value: Decimal) -> str:
    """``25000.0000`` → ``25000``, never an exponent."""
    text = format(value.normalize(), "f")
    return text


def money(value: Decimal) -> str:
    return str(value.quantize(FEN))


def parcel_view(
    stored: Stored, leases: list[tuple[Lease, bool, int]] | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """`as_of`: the day whose holder `rights_holder` names (default: the current holder)."""
    p, where = stored.parcel, jurisdiction(stored.parcel.jurisdiction)
    body: dict[str, Any] = {
        "parcel_id": p.parcel_id,
        "name": p.name,
        "address": p.address,
        "street": where.name_zh,
        "street_code": where.code,
        "street_kind": where.kind.value,
        "area_m2": plain(p.area_m2),
        "hectares": plain(p.hectares),
        "category": p.category.value,
        "rights_holder": holder_on(p.holders, as_of) if as_of else p.rights_holder,
        "holders": [{"uscc": h.uscc, "valid_from": h.valid_from, "valid_to": h.valid_to,
                     "document_ref": h.document_ref} for h in p.holders],
        "geometry": p.geometry,
        "commitments": [
            {"from_year": c.from_year, "to_year": c.to_year, "output_value": money(c.output_value), "tax": money(c.tax)}
            for c in p.contract_terms.commitments
        ],
        "deadlines": [
            {"kind": d.kind, "due_on": d.due_on, "met_on": d.met_on, "note": d.note} for d in p.contract_terms.deadlines
        ],
        "flags": [
            {"kind": f.kind.value, "since": f.since, "source": f.source, "cleared_on": f.cleared_on, "note": f.note}
            for f in p.flags
        ],
        "version": stored.version,
        **lineage_view(p),
    }
    if as_of is not None:
        body["as_of"] = as_of
    if leases is not None:
        body["leases"] = [lease_view(lease, linked, version) for lease, linked, version in leases]
    return body


def lineage_view(p: Parcel) -> dict[str, Any]:
    """An ended parcel is still answered, with its end; `status` says whether it is in force."""
    end = p.ending
    return {
        "status": "ended" if end else "in_force",
        "predecessors": list(p.predecessors),
        "ended_on": end.on if end else None,
        "ended_by": end.act if end else None,
        "end_document_ref": end.document_ref if end else None,
        "successors": list(p.successors),
    }


def history_view(page: HistoryPage) -> dict[str, Any]:
    """Entries keep ID numbers masked only, so every reader sees the same history."""
    return {
        "items": [
            {"entry_id": e.entry_id, "kind": e.kind, "recorded_at": e.act.at.astimezone(BEIJING), "actor": e.act.actor,
             "reason": e.act.reason, "reference": e.act.reference, "effective_on": e.effective_on,
             "changes": e.changes}
            for e in page.items
        ],
        "next": page.next,
    }


def lease_view(lease: Lease, equity_linked: bool, version: int) -> dict[str, Any]:
    approval = lease.approval
    return {
        "parcel_id": lease.parcel_id,
        "lease_id": lease.lease_id,
        "tenant_uscc": lease.tenant,
        "area_m2": plain(lease.area_m2),
        "start": lease.starts_on,
        "end": lease.ends_on,
        "approved": approval is not None,
        "unauthorised": approval is None,
        "approval_reference": approval.reference if approval else None,
        "approval_date": approval.approved_on if approval else None,
        "equity_linked": equity_linked,
        "version": version,
    }


def enterprise_view(stored: StoredEnterprise, reveal: Callable[[bytes], str] | None) -> dict[str, Any]:
    """`reveal`: decrypts an ID number, for an ``admin`` caller only; None shows them masked."""

    def id_number(row: dict[str, Any]) -> str | None:
        if row.get("id_ciphertext") is None:
            return None
        return reveal(row["id_ciphertext"]) if reveal is not None else row["id_masked"]

    return {
        "uscc": stored.row["uscc"],
        "name": stored.row["name"],
        "status": stored.row["status"],
        "responsible_persons": [
            {"name": p["name"], "role": p["role"], "person_ref": p["person_ref"], "id_number": id_number(p)}
            for p in stored.persons
        ],
        "shareholders": [
            {
                "kind": s["kind"],
                "name": s["name"],
                "share_pct": plain(Decimal(s["share_pct"])),
                "share": plain(Decimal(s["share_pct"])),  # deprecated: the same percent as share_pct
                "uscc": s["holder_uscc"],
                "person_ref": s["person_ref"],
                "id_number": id_number(s),
            }
            for s in stored.shareholders
        ],
        "version": stored.row["version"],
        "updated_at": stored.row["updated_at"],
    }


def path_view(path: EquityPath) -> dict[str, Any]:
    return {
        "kind": path.kind.value,
        "depth": path.depth,
        "explanation": path.explain(),
        "steps": [
            {
                "from": s.source.key,
                "from_kind": s.source.kind.value,
                "direction": s.direction.value,
                "to": s.target.key,
                "to_kind": s.target.kind.value,
                "share_pct": plain(s.share_pct),
                "share": plain(s.share_pct),  # deprecated: the same percent as share_pct
            }
            for s in path.steps
        ],
    }


def rules_view(rules: EquityRules) -> dict[str, Any]:
    return {
        "max_depth": rules.max_depth,
        "common_shareholder": rules.common_shareholder,
        "min_share_pct": plain(rules.min_share_pct),
    }


def share_view(share: Share) -> dict[str, Any]:
    return {
        "parcel_id": share.parcel_id,
        "output_value": money(share.output_value),
        "tax_paid": money(share.tax_paid),
        "status": share.status.value,
        "basis": share.basis.value if share.basis else None,
    }


def filing_view(f: RevenueFiling) -> dict[str, Any]:
    return {
        "filing_id": f.filing_id,
        "revision": f.revision,
        "uscc": f.uscc,
        "parcel_id": f.parcel_id,
        "year": f.year,
        "quarter": f.quarter,
        "output_value": money(f.output_value),
        "tax_paid": money(f.tax_paid),
    }


def attribution_view(a: Attribution) -> dict[str, Any]:
    return {"method": a.method.value, "shares": [share_view(s) for s in a.shares]}


def _contribution(c: Contribution) -> dict[str, Any]:
    return {
        **filing_view(c.filing),
        "method": c.method.value,
        "basis": c.share.basis.value if c.share.basis else None,
        "attributed_output": money(c.output_value),
        "attributed_tax": money(c.tax_paid),
    }


def output_view(stored: Stored, out: ParcelOutput) -> dict[str, Any]:
    hectares = stored.parcel.hectares
    return {
        "parcel_id": out.parcel_id,
        "year": out.year,
        "hectares": plain(hectares),
        "output_value": money(out.output_value),
        "tax_paid": money(out.tax_paid),
        "output_per_hectare": money(out.output_value / hectares),
        "tax_per_hectare": money(out.tax_paid / hectares),
        "has_filing": out.has_filing,
        "filings": [_contribution(c) for c in out.contributions],
        "suspected_occupants": [_contribution(c) for c in out.suspected_occupants],
        "superseded": [_contribution(c) for c in out.superseded],
    }


def filing_answer(result: LineResult) -> tuple[int, bytes]:
    """Status and JSON body for an accepted, revised or already recorded filing (the route's and
    the fast path's alike)."""
    assert result.outcome is not None  # the intake raises every refusal
    body: dict[str, Any] = {"status": result.outcome.value, "filing": filing_view(result.filing)}
    if result.attribution is not None:
        body["attribution"] = attribution_view(result.attribution)
    # Plain JSON values already: straight to bytes, without the generic encoder's walk.
    return (200 if result.outcome is Outcome.DUPLICATE else 201), orjson.dumps(body)


def parcel_page_view(page: ParcelPage) -> dict[str, Any]:
    return {"items": [parcel_view(s) for s in page.items], "total": page.total, "next_after": page.next_after}


def related_view(uscc: str, found: Related) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "rules": rules_view(found.rules),
        "related": [
            {
                "uscc": p.uscc,
                "name": found.names.get(p.uscc),
                "equity_link": path_view(p.equity_path) if p.equity_path else None,
                "shared_persons": [
                    {
                        "person_ref": s.person_token,
                        "roles_here": list(s.roles_here),
                        "roles_there": list(s.roles_there),
                    }
                    for s in p.shared_persons
                ],
            }
            for p in found.parties
        ],
    }


def link_view(x: str, y: str, rules: EquityRules, path: EquityPath | None) -> dict[str, Any]:
    return {
        "uscc": x,
        "other": y,
        "linked": path is not None,
        "rules": rules_view(rules),
        "link": path_view(path) if path else None,
    }


def trail_view(filing_id: str, trail: list[FilingRevision]) -> dict[str, Any]:
    return {
        "filing_id": filing_id,
        "current_revision": max(t.filing.revision for t in trail),
        "revisions": [
            {
                **filing_view(t.filing),
                "received_at": t.received_at,
                "received_by": t.received_by,
                "is_current": t.is_current,
                "attribution": attribution_view(t.attribution),
            }
            for t in trail
        ],
    }
