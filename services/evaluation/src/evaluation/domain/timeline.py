"""A parcel's timeline of occupancy: which entries an incoming fact adds, given what is stored.

Pure decisions (no I/O): the handlers pass the stored state before their upsert and write what
comes back in the same transaction. Each entry has a `key`, unique per parcel, derived from the
fact (a finding, a case's state, a suspected filer) or from the event that changed the stored
state (a holder, a lease): a redelivered event yields the same key, and a fact that leaves the
stored state as it was yields no entry, so neither ever writes a second one.
`at` is when the change took effect when the fact dates it (a transfer's first day, a lease's
start, an inspection, a case's move), else when the fact was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")  # a dated fact's day begins at Beijing midnight

HOLDER_RECORDED = "holder_recorded"
HOLDER_CHANGED = "holder_changed"
LEASE_REGISTERED = "lease_registered"
LEASE_CHANGED = "lease_changed"
SUSPECTED_OCCUPANT = "suspected_occupant"
FINDING_RECORDED = "finding_recorded"
CASE_CHANGED = "case_changed"

FINDING_NAMES = {
    "unauthorised_lease": ("未经允许出租", "unauthorised lease"),
    "non_industrial_use": ("不按工业用途使用", "non-industrial use"),
    "illegal_construction": ("违法违规建设", "illegal construction"),
    "residential_conversion": ("工改住", "residential conversion"),
    "abandoned": ("烂尾", "abandoned"),
    "litigation": ("涉法涉诉", "litigation"),
    "rectified": ("已整改", "rectified"),
    "no_issue": ("未发现问题", "no issue"),
}


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str
    at: datetime
    zh: str
    en: str
    uscc: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredLease:
    tenant_uscc: str
    area_m2: Decimal
    approved: bool
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Occupants:
    """Who is known on a parcel before a filing: its holder and every registered tenant."""

    holder_uscc: str
    tenants: frozenset[str] = frozenset()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BEIJING)


def holder_entries(event_id: str, holder_uscc: str, version: int, holders: Iterable[tuple[str, date | None]],
                   stored: tuple[str, int] | None, recorded_at: datetime) -> list[Entry]:
    """The holder as first recorded, or a transfer when it differs from the stored one. An event
    older than the stored version never wins the projection, so it changes no holder either.
    `holders` are the event's dated periods (uscc, valid_from), oldest first, possibly empty."""
    if stored is not None and (version < stored[1] or stored[0] == holder_uscc):
        return []
    since = next((start for uscc, start in reversed(list(holders)) if uscc == holder_uscc), None)
    at = day_start(since) if since else recorded_at
    if stored is None:
        return [Entry(f"holder:{holder_uscc}", HOLDER_RECORDED, at,
                      f"土地使用权人：{holder_uscc}", f"Rights holder: {holder_uscc}", holder_uscc,
                      {"since": since.isoformat() if since else None})]
    previous = stored[0]
    return [Entry(f"holder:{previous}>{holder_uscc}:{event_id}", HOLDER_CHANGED, at,
                  f"土地使用权由 {previous} 转让给 {holder_uscc}",
                  f"Rights transferred from {previous} to {holder_uscc}",
                  holder_uscc, {"previous_uscc": previous, "since": since.isoformat() if since else None})]


def lease_entries(event_id: str, lease_id: str, lease: StoredLease, stored: StoredLease | None,
                  recorded_at: datetime) -> list[Entry]:
    """A lease registered, or changed in what says who occupies how much and whether lawfully."""
    if stored == lease:
        return []
    status_zh, status_en = ("经批准", "approved") if lease.approved else ("未经批准", "not approved")
    span = f"{lease.start or '?'}–{lease.end or ''}"
    terms_zh = f"承租人 {lease.tenant_uscc}，面积 {lease.area_m2} 平方米，{status_zh}，{span}"
    terms_en = f"tenant {lease.tenant_uscc}, {lease.area_m2} m², {status_en}, {span}"
    details = {"lease_id": lease_id, "area_m2": str(lease.area_m2), "approved": lease.approved,
               "start": lease.start.isoformat() if lease.start else None,
               "end": lease.end.isoformat() if lease.end else None}
    key = f"lease:{lease_id}:{event_id}"
    if stored is None:
        at = day_start(lease.start) if lease.start else recorded_at
        return [Entry(key, LEASE_REGISTERED, at,
                      f"登记租赁 {lease_id}：{terms_zh}", f"Lease {lease_id} registered: {terms_en}",
                      lease.tenant_uscc, details)]
    return [Entry(key, LEASE_CHANGED, recorded_at,
                  f"租赁 {lease_id} 变更：{terms_zh}", f"Lease {lease_id} changed: {terms_en}",
                  lease.tenant_uscc, details | {"previous_approved": stored.approved,
                                                "previous_uscc": stored.tenant_uscc})]


def filing_entries(filer: str, filing_id: str, year: int, occupants: Occupants | None,
                   recorded_at: datetime) -> list[Entry]:
    """A filer that is neither the holder nor a registered tenant: a suspected occupant, once per
    enterprise and parcel (later filings of the same enterprise add nothing). An unknown parcel
    (None) has no timeline yet: the filing waits for it (`AwaitedFiling`, `arrival_entries`)."""
    if occupants is None or filer == occupants.holder_uscc or filer in occupants.tenants:
        return []
    return [Entry(f"suspected:{filer}", SUSPECTED_OCCUPANT, recorded_at,
                  f"疑似占用：企业 {filer} 以该地块申报 {year} 年收入（申报 {filing_id}），但不是权利人或承租人",
                  f"Suspected occupant: enterprise {filer} filed {year} revenue on the parcel (filing {filing_id}) "
                  "but is neither holder nor tenant", filer, {"filing_id": filing_id, "year": year})]


@dataclass(frozen=True)
class AwaitedFiling:
    """An uncounted filing on a parcel evaluation did not know when the filing arrived (filings and
    parcels travel on different topics): kept, one per filer and parcel, until the parcel arrives."""

    uscc: str
    filing_id: str
    year: int
    recorded_at: datetime


def arrival_entries(awaited: Iterable[AwaitedFiling], occupants: Occupants) -> list[Entry]:
    """What the filings that came before their parcel imply once it arrives: each judged by
    `filing_entries` against the parcel as it arrives (its holder, the tenants registered by then),
    dated when the filing was recorded. The keys are the ones the filing would have made had the
    parcel been known, so a filing seen both ways still makes one entry."""
    return [entry for filing in sorted(awaited, key=lambda f: (f.recorded_at, f.filing_id))
            for entry in filing_entries(filing.uscc, filing.filing_id, filing.year, occupants, filing.recorded_at)]


def finding_entries(finding_id: str, type_: str, inspected_at: datetime, tenant_uscc: str | None) -> list[Entry]:
    zh, en = FINDING_NAMES.get(type_, (type_, type_))
    who_zh = f"（企业 {tenant_uscc}）" if tenant_uscc else ""
    who_en = f" (enterprise {tenant_uscc})" if tenant_uscc else ""
    return [Entry(f"finding:{finding_id}", FINDING_RECORDED, inspected_at, f"检查发现：{zh}{who_zh}",
                  f"Inspection found: {en}{who_en}", tenant_uscc, {"finding_id": finding_id, "type": type_})]


def case_entries(case_id: str, kind: str, state: str, previous_state: str | None, at: datetime) -> list[Entry]:
    opened = previous_state is None
    return [Entry(f"case:{case_id}:{state}", CASE_CHANGED, at,
                  f"案件 {case_id}：" + (f"立案（{state}）" if opened else f"{previous_state} → {state}"),
                  f"Case {case_id}: " + (f"opened ({state})" if opened else f"{previous_state} → {state}"),
                  None, {"case_id": case_id, "case_kind": kind, "state": state, "previous_state": previous_state})]
