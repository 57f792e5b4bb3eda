"""Who changed what in the ledger, when and why: one entry per act. Entries keep values as a
public read shows them (ID numbers only masked), so a history can be shown to any reader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .errors import ActConflict, FieldError
from .parcels import Parcel

# A land-staff change of these needs a stated reason: they decide the grade (area: output per
# hectare; flags: D whatever the output) or whom it reaches (holder), or what is graded (category).
REASONED_FIELDS = frozenset({"area_m2", "rights_holder", "category", "flags"})
REASON_REQUIRED = "a reason is required to change {fields}"


@dataclass(frozen=True)
class Act:
    """Who asks for a change (the token's subject: a person of land staff, or a source system),
    when (the service clock), why, and the source's own reference for it."""

    actor: str
    at: datetime
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    subject: str  # "parcel" or "enterprise"
    key: str  # the parcel id or the USCC
    kind: str  # registered, changed, transfer, imported, split, merge, end_of_right, use_change
    act: Act
    changes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # field -> {"from", "to"}
    effective_on: date | None = None
    entry_id: int | None = None  # given by the ledger; orders entries


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def parcel_facts(p: Parcel) -> dict[str, Any]:
    """A parcel's recorded facts as JSON values, to compare one version with the next."""
    return {
        "name": p.name,
        "address": p.address,
        "jurisdiction": p.jurisdiction,
        "area_m2": _plain(p.area_m2),
        "category": p.category.value,
        "rights_holder": p.rights_holder,
        "commitments": [[c.from_year, c.to_year, str(c.output_value), str(c.tax)]
                        for c in p.contract_terms.commitments],
        "deadlines": [[d.kind, d.due_on.isoformat(), d.met_on.isoformat() if d.met_on else None, d.note]
                      for d in p.contract_terms.deadlines],
        "flags": [{"kind": f.kind.value, "since": f.since.isoformat(), "source": f.source,
                   "cleared_on": f.cleared_on.isoformat() if f.cleared_on else None, "note": f.note}
                  for f in p.flags],
        "geometry": dict(p.geometry) if p.geometry is not None else None,
    } | lineage_facts(p)


def lineage_facts(p: Parcel) -> dict[str, Any]:
    """Only a parcel with lineage has these facts, so a history written before splits and merges
    existed reads the same."""
    facts: dict[str, Any] = {}
    if p.predecessors:
        facts["predecessors"] = list(p.predecessors)
    if p.ending is not None:
        facts |= {"ended_on": p.ending.on.isoformat(), "ended_by": p.ending.act,
                  "successors": list(p.ending.successors)}
    return facts


def changes_between(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each field whose value differs, with both values (`from` is None for a new record)."""
    return {name: {"from": before.get(name) if before else None, "to": value}
            for name, value in after.items() if before is None or before.get(name) != value}


def require_reason(changes: Mapping[str, Any], act: Act) -> None:
    """Refuses a change of a reasoned field without a reason (a new record needs none): whether
    one is needed depends on the record on file, so it is a conflict with the ledger."""
    touched = sorted(REASONED_FIELDS & changes.keys())
    if touched and not (act.reason and act.reason.strip()):
        raise ActConflict([FieldError("reason", REASON_REQUIRED.format(fields=", ".join(touched)))])


def enterprise_facts(row: Mapping[str, Any], persons: Sequence[Mapping[str, Any]],
                     shareholders: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An enterprise's facts as stored: people by name, role and masked ID number only."""
    return {
        "name": row["name"],
        "status": row["status"],
        "responsible_persons": [{"name": p["name"], "role": p["role"], "id_number": p["id_masked"]} for p in persons],
        "shareholders": [{"kind": s["kind"], "name": s["name"], "share_pct": _plain(Decimal(s["share_pct"])),
                          "uscc": s["holder_uscc"], "id_number": s["id_masked"]} for s in shareholders],
    }
