"""Which timeline entries an incoming fact makes, given what is stored before it (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from evaluation.domain.timeline import (
    CASE_CHANGED,
    FINDING_RECORDED,
    HOLDER_CHANGED,
    HOLDER_RECORDED,
    LEASE_CHANGED,
    LEASE_REGISTERED,
    SUSPECTED_OCCUPANT,
    AwaitedFiling,
    Occupants,
    StoredLease,
    arrival_entries,
    case_entries,
    day_start,
    filing_entries,
    finding_entries,
    holder_entries,
    lease_entries,
)

A, B, T, S = "91110302MA01ABCD1X", "91110302MA01EFGH2Y", "91110302MA01TTTT3Z", "91110302MA01SSSS4W"
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("holder", "version", "holders", "stored", "kinds", "at"), [
    # first sight of the parcel: its holder as recorded
    (A, 1, [], None, [HOLDER_RECORDED], NOW),
    (A, 1, [(A, date(2020, 1, 1))], None, [HOLDER_RECORDED], day_start(date(2020, 1, 1))),
    # a transfer, dated by its period when the event carries one
    (B, 2, [(A, None), (B, date(2026, 3, 1))], (A, 1), [HOLDER_CHANGED], day_start(date(2026, 3, 1))),
    (B, 2, [], (A, 1), [HOLDER_CHANGED], NOW),
    # the same holder again (another fact of the parcel changed, or a redelivery): nothing
    (A, 2, [(A, None)], (A, 1), [], None),
    (B, 2, [], (B, 2), [], None),
    # an older version arriving late never wins the projection, so it moves no holder
    (A, 1, [], (B, 2), [], None),
])
def test_holder(holder: str, version: int, holders: list[tuple[str, date | None]], stored: tuple[str, int] | None,
                kinds: list[str], at: datetime | None) -> None:
    entries = holder_entries("ev1", holder, version, holders, stored, NOW)
    assert [e.kind for e in entries] == kinds
    if entries:
        assert entries[0].at == at and entries[0].uscc == holder
        assert entries[0].zh.startswith("土地使用权")
    if kinds == [HOLDER_CHANGED]:
        assert entries[0].details["previous_uscc"] == A and A in entries[0].en


def _lease(approved: bool, area: str = "500", tenant: str = T, start: date | None = date(2026, 1, 1)) -> StoredLease:
    return StoredLease(tenant, Decimal(area), approved, start, None)


@pytest.mark.parametrize(("lease", "stored", "kinds", "approved"), [
    (_lease(True), None, [LEASE_REGISTERED], True),
    (_lease(False), None, [LEASE_REGISTERED], False),
    (_lease(True), _lease(False), [LEASE_CHANGED], True),  # approved since
    (_lease(False, "800"), _lease(False), [LEASE_CHANGED], False),  # more area
    (_lease(False, tenant=S), _lease(False), [LEASE_CHANGED], False),  # another tenant
    (_lease(False), _lease(False), [], None),  # redelivered: the stored lease is already this one
])
def test_lease(lease: StoredLease, stored: StoredLease | None, kinds: list[str], approved: bool | None) -> None:
    entries = lease_entries("ev1", "L1", lease, stored, NOW)
    assert [e.kind for e in entries] == kinds
    if entries:
        entry = entries[0]
        assert entry.details["approved"] is approved and entry.details["area_m2"] == str(lease.area_m2)
        assert entry.uscc == lease.tenant_uscc and ("未经批准" in entry.zh) is (not approved)
        assert entry.key == "lease:L1:ev1"
    if kinds == [LEASE_REGISTERED]:
        assert entries[0].at == day_start(date(2026, 1, 1))  # when the lease began
    if kinds == [LEASE_CHANGED]:
        assert entries[0].at == NOW


def test_a_lease_without_a_start_is_dated_when_recorded() -> None:
    assert lease_entries("ev", "L1", _lease(False, start=None), None, NOW)[0].at == NOW


@pytest.mark.parametrize(("filer", "occupants", "kinds"), [
    (S, Occupants(A, frozenset({T})), [SUSPECTED_OCCUPANT]),  # neither holder nor tenant
    (A, Occupants(A, frozenset({T})), []),  # the holder
    (T, Occupants(A, frozenset({T})), []),  # a registered tenant (approved or not: its lease is on the timeline)
    (S, None, []),  # a parcel not known yet
])
def test_filing(filer: str, occupants: Occupants | None, kinds: list[str]) -> None:
    entries = filing_entries(filer, "F1", 2026, occupants, NOW)
    assert [e.kind for e in entries] == kinds
    if entries:
        assert entries[0].key == f"suspected:{filer}"  # once per enterprise: a later filing adds nothing
        assert entries[0].details == {"filing_id": "F1", "year": 2026} and entries[0].zh.startswith("疑似占用")


EARLIER = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def _awaited(filer: str, filing_id: str = "F1", at: datetime = EARLIER) -> AwaitedFiling:
    return AwaitedFiling(filer, filing_id, 2026, at)


@pytest.mark.parametrize(("awaited", "occupants", "expected"), [
    # a stranger to the parcel as it arrives: suspected, dated when its filing was recorded
    ([_awaited(S)], Occupants(A), [(S, "F1", EARLIER)]),
    # the holder the parcel arrives with, or a tenant registered before it: nothing
    ([_awaited(A)], Occupants(A), []),
    ([_awaited(T)], Occupants(A, frozenset({T})), []),
    # oldest first, whatever order the store returns them in
    ([_awaited(S, "F2", NOW), _awaited(B, "F1", EARLIER)], Occupants(A), [(B, "F1", EARLIER), (S, "F2", NOW)]),
    ([], Occupants(A), []),
])
def test_filings_that_came_before_their_parcel(awaited: list[AwaitedFiling], occupants: Occupants,
                                              expected: list[tuple[str, str, datetime]]) -> None:
    entries = arrival_entries(awaited, occupants)
    assert [(e.uscc, e.details["filing_id"], e.at) for e in entries] == expected
    assert all(e.kind == SUSPECTED_OCCUPANT for e in entries)


def test_a_filing_judged_on_arrival_makes_the_key_it_would_have_made_at_once() -> None:
    # so a filing seen both ways (waiting, and again once the parcel is known) makes one entry
    [waited] = arrival_entries([_awaited(S)], Occupants(A))
    [at_once] = filing_entries(S, "F1", 2026, Occupants(A), EARLIER)
    assert waited == at_once


def test_a_redelivered_fact_makes_the_same_key() -> None:
    first = filing_entries(S, "F1", 2026, Occupants(A), NOW)
    again = filing_entries(S, "F2", 2026, Occupants(A), NOW)
    assert first[0].key == again[0].key
    at = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    assert finding_entries("I1#1", "unauthorised_lease", at, S) == finding_entries("I1#1", "unauthorised_lease", at, S)
    assert case_entries("C1", "enforcement", "open", None, at)[0].key == "case:C1:open"


def test_findings_and_cases() -> None:
    at = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    [finding] = finding_entries("I1#1", "unauthorised_lease", at, S)
    assert (finding.kind, finding.at, finding.uscc) == (FINDING_RECORDED, at, S)
    assert finding.zh == f"检查发现：未经允许出租（企业 {S}）"
    [opened] = case_entries("C1", "enforcement", "open", None, at)
    [moved] = case_entries("C1", "enforcement", "rectified", "open", at)
    assert opened.kind == moved.kind == CASE_CHANGED and opened.key != moved.key
    assert "立案" in opened.zh and "open → rectified" in moved.en
