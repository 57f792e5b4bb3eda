"""The service-layer handlers against a fake unit of work: in-memory repositories with the same
attributes as the real ones, no database. What a user would notice: facts kept, grades recorded,
grade events emitted, runs and objections moving through their states."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from evaluation.adapters.facts_repository import FactsRepository
from evaluation.adapters.grades_repository import evaluation_row
from evaluation.adapters.grading_lock import ANY_YEAR
from evaluation.domain.equity import adjacency, equity_linked
from evaluation.domain.identifiers import NotYourParcel
from evaluation.domain.projection import FindingRecord, LeaseRecord, ParcelRecord, ParcelSources, RevenueRecord
from evaluation.domain.records import BulkEvent, Current, Recorded
from evaluation.domain.ruleset import Ruleset
from evaluation.domain.ruleset_codec import ruleset_to_dict, with_changes
from evaluation.domain.rulesets import load_seed_ruleset
from evaluation.domain.timeline import SUSPECTED_OCCUPANT, AwaitedFiling, Occupants
from evaluation.service_layer import facts, objections, publication, re_evaluation, rulesets, simulation, yearly_run
from evaluation.service_layer.grading import NoRuleset
from evaluation.service_layer.publication import PublicationError
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.evaluation import ParcelGraded, WarningChanged, YearPublished
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged, Shareholder
from landgrade_reference.official_calendar import OfficialCalendar
from landgrade_reference.uscc import with_check_character
from servicekit.events import CloudEvent, EventData
from servicekit.idempotency import IdempotentRequest
from servicekit.inbox import Delivery, PoisonEvent, Received
from servicekit.problems import Problem

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOLDER = "91110302MA01ABCD12"  # valid USCCs: evaluation refuses events naming anything else
TENANT = "91110115MA00TENT2T"
STREET = "荣华街道"


# -- the fake unit of work -------------------------------------------------------------------------

class FakeFacts:
    def __init__(self) -> None:
        self.parcels: dict[str, ParcelRecord] = {}
        self.leases: dict[str, dict[str, LeaseRecord]] = {}
        self.findings: dict[str, list[FindingRecord]] = {}
        self.revenue: dict[tuple[str, int], RevenueRecord] = {}
        self.shareholdings: dict[str, set[str]] = {}
        self.cases: dict[str, CaseChanged] = {}

    async def upsert_parcel(self, e: ParcelChanged) -> None:
        self.parcels[e.parcel_id] = ParcelRecord(e.parcel_id, e.street, e.category, e.area_m2, e.holder_uscc)

    async def upsert_lease(self, e: LeaseChanged) -> None:
        self.leases.setdefault(e.parcel_id, {})[e.lease_id] = LeaseRecord(
            e.lease_id, e.tenant_uscc, e.approved, e.equity_linked, e.end)

    async def replace_shareholdings(self, e: EnterpriseChanged) -> None:
        self.shareholdings[e.uscc] = {f"E:{s.uscc}" for s in e.shareholders if s.uscc}

    async def store_revenues(self, events: list[FilingAccepted]) -> None:
        for e in events:
            self.revenue[(e.parcel_id, e.year)] = self.revenue_after(e, self.revenue.get((e.parcel_id, e.year)))

    revenue_after = staticmethod(FactsRepository.revenue_after)

    async def record_finding(self, e: FindingRecorded) -> None:
        if e.type == "rectified":
            await self.rectify_parcel(e.parcel_id, e.inspected_at, e.finding_id)
        self.findings.setdefault(e.parcel_id, []).append(FindingRecord(
            e.finding_id, e.type, e.inspected_at, e.tenant_uscc, e.holder_attitude))

    async def record_case(self, e: CaseChanged) -> None:
        self.cases[e.case_id] = e
        if e.state == "rectified":
            await self.rectify_parcel(e.parcel_id, e.at, e.case_id)

    async def rectify_parcel(self, parcel_id: str, at: datetime, by: str) -> None:
        self.findings[parcel_id] = [replace(f, rectified=True) if f.inspected_at <= at else f
                                    for f in self.findings.get(parcel_id, [])]
        self.leases[parcel_id] = {k: replace(v, rectified=True) if not v.approved else v
                                  for k, v in self.leases.get(parcel_id, {}).items()}

    async def holder_of(self, parcel_id: str) -> str | None:
        found = self.parcels.get(parcel_id)
        return found.holder_uscc if found else None

    async def parcels_touching(self, uscc: str) -> list[str]:
        return sorted({p.parcel_id for p in self.parcels.values() if p.holder_uscc == uscc}
                      | {pid for pid, ls in self.leases.items() for x in ls.values()
                         if x.tenant_uscc == uscc and not x.approved})

    async def load_sources(self, year: int, parcel_ids: list[str] | None = None) -> dict[str, ParcelSources]:
        return {pid: ParcelSources(p, tuple(self.leases.get(pid, {}).values()), tuple(self.findings.get(pid, [])),
                                   {year: self.revenue[(pid, year)]} if (pid, year) in self.revenue else {})
                for pid, p in self.parcels.items() if parcel_ids is None or pid in parcel_ids}

    async def sources_after(self, year: int, after: str, limit: int) -> dict[str, ParcelSources]:
        chunk = sorted(pid for pid in self.parcels if pid > after)[:limit]
        return await self.load_sources(year, chunk) if chunk else {}

    async def parcels_of_year(self, year: int) -> int:
        return len(self.parcels)

    async def equity_graph(self) -> dict[str, set[str]]:
        return adjacency((u, n) for u, nodes in self.shareholdings.items() for n in nodes)

    async def revenue_years(self, parcel_id: str) -> list[int]:
        return sorted(y for p, y in self.revenue if p == parcel_id)

    async def linked_pairs(self, pairs: set[tuple[str, str]], depth: int) -> set[tuple[str, str]]:
        graph = adjacency((u, n) for u, nodes in self.shareholdings.items() for n in nodes)
        return {p for p in pairs if equity_linked(p[0], p[1], graph, depth)}


class FakeGrades:
    def __init__(self) -> None:
        self.evaluations: list[Recorded] = []
        self.currents: dict[tuple[str, int], Current] = {}
        self.bulk_events: list[dict[str, Any]] = []
        self.withdrawn: list[str] = []

    async def current(self, parcel_id: str, year: int) -> Current | None:
        return self.currents.get((parcel_id, year))

    async def current_many(self, year: int, parcel_ids: list[str]) -> dict[str, Current]:
        return {p: c for (p, y), c in self.currents.items() if y == year and p in parcel_ids}

    async def current_for_year(self, year: int) -> dict[str, Current]:
        return {p: c for (p, y), c in self.currents.items() if y == year}

    async def years_of(self, parcel_id: str) -> dict[int, str]:
        return {y: c.status for (p, y), c in self.currents.items() if p == parcel_id}

    async def record_many(self, recorded: list[Recorded], bulk_events: dict[str, BulkEvent] | None = None) -> None:
        for r in recorded:
            self.evaluations.append(r)
            self.currents[(r.evaluation.parcel_id, r.evaluation.year)] = replace(
                r.as_current(), bulk_event=(bulk_events or {}).get(r.id))

    async def touch_parcel(self, parcel_id: str, year: int, street: str, holder_uscc: str) -> None:
        self.currents[(parcel_id, year)] = replace(self.currents[(parcel_id, year)], street=street,
                                                   holder_uscc=holder_uscc)

    async def copy_evaluations(self, recorded: list[Recorded]) -> None:
        self.evaluations += recorded

    async def replace_current(self, recorded: list[Recorded], bulk_events: dict[str, BulkEvent]) -> None:
        for r in recorded:
            key = (r.evaluation.parcel_id, r.evaluation.year)
            kept = self.currents[key].bulk_event if key in self.currents else None
            self.currents[key] = replace(r.as_current(), bulk_event=bulk_events.get(r.id, kept))

    def _row(self, r: Recorded) -> Any:
        row = evaluation_row(r)
        return SimpleNamespace(**row, _mapping=row)

    async def current_evaluation(self, parcel_id: str, year: int | None) -> Any:
        current = self.currents.get((parcel_id, year)) if year else None
        found = [r for r in self.evaluations if current and r.id == current.evaluation_id]
        return self._row(found[0]) if found else None

    async def make_year_final(self, year: int) -> list[tuple[str, Any]]:
        ids = {}
        for key, c in list(self.currents.items()):
            if key[1] == year:
                ids[c.evaluation_id] = f"bulk-{c.evaluation_id}"
                self.currents[key] = replace(c, status="final",
                                             bulk_event=BulkEvent(ids[c.evaluation_id], c.evaluation_id))
        self.evaluations = [replace(r, status="final") if r.id in ids else r for r in self.evaluations]
        return [(ids[r.id], self._row(r)) for r in self.evaluations if r.id in ids]

    async def final_for_year(self, year: int) -> dict[str, Current]:
        return {r.evaluation.parcel_id: replace(r.as_current(), status="final") for r in self.evaluations
                if r.evaluation.year == year and r.status == "final"}

    async def add_grade_events(self, events: Any) -> int:
        added = [document for _, document in events]
        self.bulk_events += added
        return len(added)

    async def evaluations_by_id(self, ids: Any) -> dict[str, Any]:
        return {r.id: self._row(r) for r in self.evaluations if r.id in set(ids)}

    async def withdraw_bulk_events(self, event_ids: list[str]) -> None:
        self.withdrawn += event_ids


class FakeRulesets:
    def __init__(self, *stored: Ruleset) -> None:
        self.stored = {r.id: r for r in stored}

    async def add(self, ruleset: Ruleset, created_by: str) -> bool:
        if ruleset.id in self.stored:
            return False
        self.stored[ruleset.id] = ruleset
        return True

    async def get(self, ruleset_id: str) -> Ruleset | None:
        return self.stored.get(ruleset_id)

    async def all(self) -> list[Ruleset]:
        return [self.stored[k] for k in sorted(self.stored)]


class FakeRuns:
    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}
        self.re_evaluated: list[dict[str, Any]] = []

    async def create(self, **values: Any) -> None:
        self.runs[values["id"]] = {"total": 0, "graded": 0, "objection_deadline": None, **values}

    async def get(self, run_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        return dict(self.runs[run_id]) if run_id in self.runs else None

    async def change(self, run_id: str, **values: Any) -> None:
        self.runs[run_id].update(values)

    async def open_for_objection(self, year: int) -> dict[str, Any] | None:
        open_ = [r for r in self.runs.values() if r["year"] == year and r["state"] == "published"]
        return dict(open_[-1]) if open_ else None

    async def final_for(self, year: int) -> dict[str, Any] | None:
        final = [r for r in self.runs.values() if r["year"] == year and r["state"] == "final"]
        return dict(final[-1]) if final else None

    async def latest_year(self) -> int | None:
        return max((r["year"] for r in self.runs.values() if r["state"] in ("draft", "published", "final")),
                   default=None)

    async def add_re_evaluation(self, **values: Any) -> None:
        self.re_evaluated.append(values)

    async def re_evaluations(self, year: int) -> list[dict[str, Any]]:
        return [r for r in reversed(self.re_evaluated) if r["year"] == year]

    async def supersede_others(self, run_id: str, year: int) -> None:
        for r in self.runs.values():
            if r["year"] == year and r["id"] != run_id and r["state"] in ("draft", "published"):
                r["state"] = "superseded"

    async def interrupted(self) -> None:
        for r in self.runs.values():
            if r["state"] in ("queued", "running"):
                r.update(state="failed", phase="failed")


class FakeObjections:
    def __init__(self) -> None:
        self.objections: dict[str, dict[str, Any]] = {}

    async def add(self, **values: Any) -> None:
        self.objections[values["id"]] = values

    async def get(self, objection_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        return dict(self.objections[objection_id]) if objection_id in self.objections else None

    async def decide(self, objection_id: str, **values: Any) -> None:
        self.objections[objection_id].update(values)

    async def pending(self, run_id: str) -> list[str]:
        return [k for k, o in self.objections.items() if o["run_id"] == run_id and o["state"] == "submitted"]


class FakeLock:
    """Records the keys taken: a year, or `ANY_YEAR` for facts whose years are read under it."""

    def __init__(self) -> None:
        self.shared: set[int] = set()
        self.exclusive: list[int] = []

    async def share(self, years: Iterable[int]) -> None:
        self.shared |= set(years)

    async def share_any_year(self) -> None:
        self.shared.add(ANY_YEAR)

    async def take(self, year: int) -> None:
        self.exclusive.append(year)


class FakeOutbox:
    def __init__(self) -> None:
        self.written = asyncio.Event()

    def row(self, data: EventData, event_id: str | None = None, bulk: bool = False) -> dict[str, Any]:
        self.written.set()
        return {"event": data, "event_id": event_id, "bulk": bulk}


class FakeMonitoring:
    """Filings by quarter (latest revision) and warnings per parcel-year, read through the facts and grades."""

    def __init__(self, facts: FakeFacts, grades: FakeGrades) -> None:
        self.facts, self.grades = facts, grades
        self.filings: dict[str, FilingAccepted] = {}
        self.warnings: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}

    async def store_filings(self, events: list[FilingAccepted]) -> set[tuple[str, int]]:
        before = {(f.parcel_id, f.year) for e in events if (f := self.filings.get(e.filing_id))}
        for e in events:
            if e.filing_id not in self.filings or self.filings[e.filing_id].revision <= e.revision:
                self.filings[e.filing_id] = e
        return before

    async def parcel(self, parcel_id: str) -> Any:
        p = self.facts.parcels.get(parcel_id)
        return SimpleNamespace(street=p.street, category=p.category, area_m2=p.area_m2) if p else None

    def _rows(self, keep: Any) -> list[tuple[int, int, Decimal, Decimal]]:
        sums: dict[tuple[int, int], list[Decimal]] = {}
        for f in self.filings.values():
            if f.counted and f.quarter is not None and keep(f):
                s = sums.setdefault((f.year, f.quarter), [Decimal(0), Decimal(0)])
                s[0] += f.attributed_output
                s[1] += f.attributed_tax
        return [(y, q, o, t) for (y, q), (o, t) in sorted(sums.items())]

    async def quarters_of(self, parcel_id: str, until_year: int) -> list[tuple[int, int, Decimal, Decimal]]:
        return self._rows(lambda f: f.parcel_id == parcel_id and f.year <= until_year)

    async def quarters_of_category(self, category: str, before_year: int) -> list[tuple[int, int, Decimal, Decimal]]:
        of = {p for p, r in self.facts.parcels.items() if r.category == category}
        return self._rows(lambda f: f.parcel_id in of and f.year < before_year)

    async def grades_until(self, parcel_id: str, year: int) -> dict[int, str]:
        return {y: c.grade for (p, y), c in self.grades.currents.items() if p == parcel_id and y <= year}

    async def warnings_of(self, parcel_id: str, year: int) -> dict[str, dict[str, Any]]:
        return dict(self.warnings.get((parcel_id, year), {}))

    async def replace_warnings(self, parcel_id: str, year: int, rows: list[dict[str, Any]]) -> None:
        self.warnings[(parcel_id, year)] = {r["measure"]: r for r in rows}


class FakeTimeline:
    """Entries by parcel and key (a repeated key is kept once, as the table's unique key does)."""

    def __init__(self, facts: FakeFacts) -> None:
        self.facts = facts
        self.entries: dict[tuple[str, str], Any] = {}
        self.awaiting: dict[tuple[str, str], AwaitedFiling] = {}  # by parcel and filer, as the table's key
        self.locked: set[str] = set()

    async def stored_holder(self, parcel_id: str) -> tuple[str, int] | None:
        p = self.facts.parcels.get(parcel_id)
        return None if p is None else (p.holder_uscc, 0)

    async def stored_lease(self, parcel_id: str, lease_id: str) -> Any:
        return None

    async def occupants(self, parcel_ids: list[str]) -> dict[str, Any]:
        return {p: Occupants(self.facts.parcels[p].holder_uscc,
                             frozenset(lease.tenant_uscc for lease in self.facts.leases.get(p, {}).values()))
                for p in parcel_ids if p in self.facts.parcels}

    async def append(self, parcel_id: str, entries: list[Any]) -> None:
        for e in entries:
            self.entries.setdefault((parcel_id, e.key), e)

    async def lock_parcels(self, parcel_ids: list[str]) -> None:
        self.locked.update(parcel_ids)

    async def await_parcel(self, parcel_id: str, filings: list[AwaitedFiling]) -> None:
        for f in filings:
            self.awaiting.setdefault((parcel_id, f.uscc), f)

    async def take_awaiting(self, parcel_ids: list[str]) -> dict[str, list[AwaitedFiling]]:
        taken: dict[str, list[AwaitedFiling]] = {}
        for parcel_id, uscc in [k for k in self.awaiting if k[0] in parcel_ids]:
            taken.setdefault(parcel_id, []).append(self.awaiting.pop((parcel_id, uscc)))
        return taken


class FakeUnitOfWork:
    def __init__(self, *stored_rulesets: Ruleset) -> None:
        self.facts, self.grades, self.runs, self.objections = FakeFacts(), FakeGrades(), FakeRuns(), FakeObjections()
        self.monitoring = FakeMonitoring(self.facts, self.grades)
        self.timeline = FakeTimeline(self.facts)
        self.rulesets = FakeRulesets(*stored_rulesets)
        self.grading_lock = FakeLock()
        self.storage = SimpleNamespace(outbox=FakeOutbox())
        self.clock = lambda: NOW
        self.calendar = OfficialCalendar()
        self.events: list[EventData] = []
        self.bulk_lane: list[EventData] = []  # of the events, those sent by the outbox's bulk lane
        self.keys: dict[tuple[str, str], tuple[str, int, Any]] = {}
        self.committed = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, kind: Any, *_: Any) -> None:
        if kind is None:
            self.committed += 1

    async def emit(self, *events: EventData) -> list[str]:
        self.events += events
        return [str(i) for i in range(len(events))]

    async def emit_rows(self, rows: list[dict[str, Any]], *, once: bool = False) -> None:
        self.events += [r["event"] for r in rows]
        self.bulk_lane += [r["event"] for r in rows if r["bulk"]]

    async def replayed(self, request: IdempotentRequest | None) -> tuple[int, Any] | None:
        if request is None or (request.principal, request.key) not in self.keys:
            return None
        fingerprint, status, body = self.keys[(request.principal, request.key)]
        if fingerprint != request.fingerprint:
            raise Problem(409, "Idempotency key reused", "another request")
        return status, body

    async def remember(self, request: IdempotentRequest | None, status: int, body: Any) -> None:
        if request is not None:
            self.keys[(request.principal, request.key)] = (request.fingerprint, status, body)


def _ctx(uow: FakeUnitOfWork, wake_relay: Any) -> Any:
    """The context a yearly run is given: the fake's unit of work and clock, and what it reports."""
    reported: list[tuple[str, dict[str, Any]]] = []
    return SimpleNamespace(uow=lambda: uow, clock=uow.clock, wake_relay=wake_relay, reported=reported,
                           run_progress=lambda run_id, values: reported.append((run_id, dict(values))))


def _uow() -> Any:
    return FakeUnitOfWork(load_seed_ruleset())


def _received(data: EventData) -> Received[Any]:
    return Received(data, Delivery(CloudEvent.wrap(data, source="test"), None))


def _parcel(parcel_id: str = "P-1", holder: str = HOLDER, street: str = STREET) -> ParcelChanged:
    return ParcelChanged(parcel_id=parcel_id, name=parcel_id, street=street, category="self_use",
                         area_m2=Decimal(10000), holder_uscc=holder)


def _filing(parcel_id: str, output: int, tax: int, year: int = 2025, n: int = 1) -> FilingAccepted:
    return FilingAccepted(filing_id=f"F-{parcel_id}-{output}", revision=1, uscc=HOLDER, parcel_id=parcel_id,
                          year=year, attributed_output=Decimal(output), attributed_tax=Decimal(tax), counted=True,
                          parcel_year_output=Decimal(output), parcel_year_tax=Decimal(tax), parcel_year_filings=n)


def _grades(uow: Any, year: int = 2025) -> list[tuple[str, str | None]]:
    """The grade events of one year (a registration also grades the current year, 2026 here)."""
    return [(e.grade, e.previous_grade) for e in uow.events if isinstance(e, ParcelGraded) and e.year == year]


# -- events ----------------------------------------------------------------------------------------

async def test_a_registered_parcel_has_a_provisional_grade_for_the_current_year() -> None:
    uow = _uow()
    await facts.parcels_changed(uow, [_received(_parcel())])
    assert "P-1" in uow.facts.parcels
    [graded] = [e for e in uow.events if isinstance(e, ParcelGraded)]
    assert (graded.year, graded.grade, graded.status) == (NOW.year, "B", "provisional")
    assert graded.flags == ["no_filing"] and graded.reasons[0].setting == "gaps.no_filing_grade = B"
    assert uow.grades.currents[("P-1", NOW.year)].grade == "B"


async def test_filings_that_came_before_their_parcel_are_graded_when_it_is_announced() -> None:
    # Regression: filings and parcels travel on two topics; a filing consumed first was kept but its
    # year was never graded, since the parcel's event re-graded only the current year.
    uow = _uow()
    await facts.filings_accepted(uow, [_received(_filing("P-1", 350_000_000, 35_000_000, year=2024))])
    assert uow.events == [] and ("P-1", 2024) in uow.facts.revenue
    await facts.parcels_changed(uow, [_received(_parcel())])
    assert _grades(uow, 2024) == [("A", None)] and _grades(uow, 2026) == [("B", None)]


def _uncounted(parcel_id: str, filer: str, filing_id: str) -> FilingAccepted:
    return _filing(parcel_id, 1_000_000, 100_000).model_copy(update={
        "uscc": filer, "filing_id": filing_id, "counted": False})


async def test_a_suspected_occupant_that_came_before_its_parcel_is_on_the_timeline_once_the_parcel_is() -> None:
    # Regression: a filing consumed before its parcel added no timeline entry, and nothing retried it.
    uow, stranger = _uow(), with_check_character("91110115MA00TRNG8")
    early = [_received(_uncounted("P-1", stranger, "F-1")), _received(_uncounted("P-1", stranger, "F-2")),
             _received(_uncounted("P-1", TENANT, "F-3"))]
    await facts.filings_accepted(uow, early)
    assert uow.timeline.entries == {} and set(uow.timeline.awaiting) == {("P-1", stranger), ("P-1", TENANT)}
    assert uow.timeline.locked == {"P-1"}  # settled under the lock the parcel's arrival takes too
    await facts.leases_changed(uow, [_received(LeaseChanged(
        parcel_id="P-1", lease_id="L1", tenant_uscc=TENANT, area_m2=Decimal(500), approved=False,
        equity_linked=False))])
    await facts.parcels_changed(uow, [_received(_parcel())])
    suspected = [e for e in uow.timeline.entries.values() if e.kind == SUSPECTED_OCCUPANT]
    # The stranger once, named by its first filing and dated by it; the tenant registered meanwhile
    # is on the timeline by its lease.
    assert [(e.uscc, e.details["filing_id"], e.at) for e in suspected] == [
        (stranger, "F-1", early[0].delivery.event.time)]
    assert uow.timeline.awaiting == {}

    # Redelivered, or the parcel again: nothing more.
    before = dict(uow.timeline.entries)
    await facts.filings_accepted(uow, early[:1])
    await facts.parcels_changed(uow, [_received(_parcel())])
    assert uow.timeline.entries == before and uow.timeline.awaiting == {}


async def test_filings_grade_the_parcel_and_announce_each_change_once() -> None:
    uow = _uow()
    await facts.parcels_changed(uow, [_received(_parcel())])
    filings = [_filing("P-1", 100_000_000, 10_000_000), _filing("P-1", 350_000_000, 35_000_000, n=2),
               _filing("P-1", 350_000_000, 35_000_000, n=2), _filing("P-unknown", 900_000_000, 90_000_000)]
    received = [_received(f) for f in filings]
    await facts.filings_accepted(uow, received)
    assert _grades(uow) == [("B", None), ("A", "B")]  # the repeat changes nothing; the unknown parcel waits
    assert [e.trigger_event_id for e in uow.grades.evaluations if e.evaluation.year == 2025] == [
        received[0].event_id, received[1].event_id]
    assert uow.grades.currents[("P-1", 2025)].grade == "A"
    assert uow.facts.revenue[("P-1", 2025)].output_value == Decimal("350000000.00")
    # The parcel's arrival read its years under the any-year lock; the filings locked their year only.
    assert uow.grading_lock.shared == {ANY_YEAR, 2025}


async def test_a_run_of_filings_equals_the_same_filings_one_at_a_time() -> None:
    filings = [_filing("P-1", 100_000_000, 10_000_000), _filing("P-1", 350_000_000, 35_000_000, n=2),
               _filing("P-1", 120_000_000, 12_000_000, n=3)]
    at_once, one_by_one = _uow(), _uow()
    for uow in (at_once, one_by_one):
        await facts.parcels_changed(uow, [_received(_parcel())])
    await facts.filings_accepted(at_once, [_received(f) for f in filings])
    for f in filings:
        await facts.filings_accepted(one_by_one, [_received(f)])
    assert _grades(at_once) == _grades(one_by_one) == [("B", None), ("A", "B"), ("B", "A")]


async def test_a_parcel_change_regrades_and_a_move_without_new_grade_touches_the_current_grade() -> None:
    uow = _uow()
    await facts.parcels_changed(uow, [_received(_parcel())])
    await facts.filings_accepted(uow, [_received(_filing("P-1", 350_000_000, 35_000_000))])
    await facts.parcels_changed(uow, [_received(_parcel(street="博兴街道"))])
    assert _grades(uow) == [("A", None)]
    assert uow.grades.currents[("P-1", 2025)].street == "博兴街道"


async def test_an_unapproved_lease_to_a_linked_tenant_and_its_rectification() -> None:
    uow = _uow()
    await facts.parcels_changed(uow, [_received(_parcel())])
    await facts.filings_accepted(uow, [_received(_filing("P-1", 350_000_000, 35_000_000))])
    await facts.enterprises_changed(uow, [_received(EnterpriseChanged(
        uscc=TENANT, name="租户", status="active",
        shareholders=[Shareholder(kind="enterprise", uscc=HOLDER, share=Decimal(1))]))])
    await facts.leases_changed(uow, [_received(LeaseChanged(parcel_id="P-1", lease_id="L1", tenant_uscc=TENANT,
                                                             area_m2=Decimal(500), approved=False,
                                                             equity_linked=False))])
    assert uow.facts.shareholdings[TENANT] == {f"E:{HOLDER}"}
    assert len(_grades(uow)) == 2 and _grades(uow)[-1][1] == "A"
    graded = uow.events[-1]
    before_case = len(uow.events)
    await facts.cases_changed(uow, [_received(CaseChanged(case_id="C-1", parcel_id="P-1", street=STREET,
                                                           kind="enforcement", state="open", actor="x",
                                                           reason="r", at=NOW))])
    assert len(uow.events) == before_case  # only a rectified case re-grades
    await facts.cases_changed(uow, [_received(CaseChanged(case_id="C-1", parcel_id="P-1", street=STREET,
                                                           kind="enforcement", state="rectified", actor="x",
                                                           reason="r", at=NOW))])
    assert "C-1" in uow.facts.cases
    assert isinstance(graded, ParcelGraded) and len(uow.events) >= before_case


async def test_a_finding_is_kept_and_regrades_the_years_it_falls_in() -> None:
    uow = _uow()
    await facts.parcels_changed(uow, [_received(_parcel())])
    await facts.filings_accepted(uow, [_received(_filing("P-1", 350_000_000, 35_000_000))])
    await facts.findings_recorded(uow, [_received(FindingRecorded(
        finding_id="I-1#1", inspection_id="I-1", parcel_id="P-1", street=STREET, inspected_at=NOW,
        type="illegal_construction"))])
    assert uow.facts.findings["P-1"][0].finding_id == "I-1#1"
    # Found in 2026: the current year turns D, 2025 (still provisional) is re-graded and stays A.
    assert _grades(uow) == [("A", None)] and _grades(uow, 2026) == [("B", None), ("D", "B")]
    await facts.findings_recorded(uow, [_received(FindingRecorded(
        finding_id="I-0#1", inspection_id="I-0", parcel_id="P-1", street=STREET,
        inspected_at=datetime(2025, 11, 20, 2, 0, tzinfo=UTC), type="illegal_construction"))])
    assert len(_grades(uow)) == 2 and _grades(uow)[-1][1] == "A"
    assert uow.grades.currents[("P-1", 2025)].grade == _grades(uow)[-1][0] != "A"


# -- commands --------------------------------------------------------------------------------------

async def _graded_year(uow: Any) -> None:
    for pid in ("P-1", "P-2"):
        await facts.parcels_changed(uow, [_received(_parcel(pid))])
    await facts.filings_accepted(uow, [_received(_filing("P-1", 350_000_000, 35_000_000)),
                                       _received(_filing("P-2", 100_000_000, 10_000_000))])
    uow.events.clear()


async def test_a_yearly_run_grades_every_parcel_and_announces_only_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yearly_run, "CHUNK", 2)  # three parcels: a chunk boundary between graded ones and a new one
    uow = _uow()
    await _graded_year(uow)
    await facts.parcels_changed(uow, [_received(_parcel("P-3"))])  # never graded: the run grades it
    request = IdempotentRequest("admin", "k1", "f1")
    run, created = await yearly_run.create_run(uow, 2025, None, "admin", request)
    again, created_again = await yearly_run.create_run(uow, 2025, None, "admin", request)
    assert created and not created_again and again["id"] == run["id"] and run["state"] == "queued"
    ctx = _ctx(uow, wake_relay=uow.storage.outbox.written.set)
    await yearly_run.execute_run(ctx, run["id"])  # type: ignore[arg-type]
    done = uow.runs.runs[run["id"]]
    assert (done["state"], done["graded"], done["changed"]) == ("draft", 3, 1)
    assert done["counts"]["A"] == 1 and uow.grading_lock.exclusive == [2025]
    assert [d["parcel_id"] for d in uow.grades.bulk_events] == ["P-3"]
    assert {r.run_id for r in uow.grades.evaluations[-3:]} == {run["id"]}
    assert uow.storage.outbox.written.is_set()
    # What the metrics are told: running, then the finished draft with its counts.
    states = [values.get("state") for run_id, values in ctx.reported if run_id == run["id"] and "state" in values]
    assert states == ["running", "draft"] and ctx.reported[-1][1]["graded"] == 3


async def test_a_run_needs_a_ruleset() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(NoRuleset):
        await yearly_run.create_run(uow, 2025, None, "admin")
    with pytest.raises(LookupError):
        await yearly_run.create_run(uow, 2025, "nope", "admin")


async def test_interrupted_runs_are_closed() -> None:
    uow = _uow()
    await uow.runs.create(id="r1", year=2025, state="running")
    await yearly_run.close_interrupted_runs(uow)
    assert uow.runs.runs["r1"]["state"] == "failed"


async def _published(uow: Any) -> str:
    await _graded_year(uow)
    run, _ = await yearly_run.create_run(uow, 2025, None, "admin")
    ctx = _ctx(uow, wake_relay=lambda: None)
    await yearly_run.execute_run(ctx, run["id"])  # type: ignore[arg-type]
    published = await publication.publish(uow, run["id"], 5)
    assert published["state"] == "published"
    return str(run["id"])


async def test_publication_then_finalisation_after_the_window() -> None:
    uow = _uow()
    run_id = await _published(uow)
    # The opened window is announced once, with its last day, for the credit ledger to tell holders.
    [announced] = [e for e in uow.events if isinstance(e, YearPublished)]
    assert announced in uow.bulk_lane  # behind the year's grades, which took the bulk lane
    run = uow.runs.runs[run_id]
    assert (announced.run_id, announced.year, announced.objection_window_days) == (run_id, 2025, 5)
    assert (announced.objection_last_day, announced.objection_deadline) == (run["objection_last_day"],
                                                                             run["objection_deadline"])
    with pytest.raises(PublicationError):
        await publication.publish(uow, run_id, 5)
    assert len([e for e in uow.events if isinstance(e, YearPublished)]) == 1  # a refused step announces nothing
    with pytest.raises(PublicationError):  # the window is open
        await publication.finalize(uow, run_id)
    uow.clock = lambda: NOW + timedelta(days=6)
    uow.grades.bulk_events.clear()
    final = await publication.finalize(uow, run_id)
    assert final["state"] == "final"
    assert sorted(d["parcel_id"] for d in uow.grades.bulk_events) == ["P-1", "P-2"]
    assert {d["status"] for d in uow.grades.bulk_events} == {"final"}
    with pytest.raises(LookupError):
        await publication.finalize(uow, "nope")


async def test_an_upheld_objection_regrades_and_announces() -> None:
    uow = _uow()
    await _published(uow)
    submitted = await objections.submit(uow, "P-2", 2025, "产值统计有误", "A", "holder",
                                        IdempotentRequest("holder", "k", "f"))
    assert submitted["state"] == "submitted"
    assert (await objections.submit(uow, "P-2", 2025, "产值统计有误", "A", "holder",
                                    IdempotentRequest("holder", "k", "f")))["id"] == submitted["id"]
    with pytest.raises(LookupError):
        await objections.submit(uow, "P-9", 2025, "x", None, "holder")
    uow.events.clear()
    decided = await objections.decide(uow, submitted["id"], True, "A", "复核成立", "admin")
    assert decided["state"] == "upheld" and decided["decided_grade"] == "A"
    assert _grades(uow) == [("A", "B")]
    assert uow.grades.evaluations[-1].objection_id == submitted["id"]
    with pytest.raises(PublicationError):
        await objections.decide(uow, submitted["id"], False, None, "again", "admin")


async def test_a_rejected_objection_changes_no_grade() -> None:
    uow = _uow()
    await _published(uow)
    submitted = await objections.submit(uow, "P-2", 2025, "异议", None, "holder")
    uow.events.clear()
    decided = await objections.decide(uow, submitted["id"], False, None, "不成立", "admin")
    assert decided["state"] == "rejected" and uow.events == []


async def test_no_objection_without_a_published_run() -> None:
    uow = _uow()
    with pytest.raises(PublicationError):
        await objections.submit(uow, "P-1", 2025, "x", None, "holder")


async def test_an_enterprise_objects_only_for_a_parcel_it_holds() -> None:
    uow = _uow()
    await _published(uow)
    stranger = with_check_character("91110108MA00TRAN0")
    for parcel in ("P-2", "P-9"):  # another's graded parcel, and one never heard of: the same refusal
        with pytest.raises(NotYourParcel):
            await objections.submit(uow, parcel, 2025, "异议", None, "portal", enterprise=stranger)
    assert uow.objections.objections == {}
    own = await objections.submit(uow, "P-2", 2025, "异议", None, "portal", enterprise=HOLDER)
    assert own["holder_uscc"] == HOLDER
    # The holder named in the facts is the holder too (the grade may still name the previous one).
    uow.facts.parcels["P-2"] = replace(uow.facts.parcels["P-2"], holder_uscc=stranger)
    moved = await objections.submit(uow, "P-2", 2025, "异议", None, "portal", enterprise=stranger)
    assert moved["parcel_id"] == "P-2"


async def test_every_uscc_an_event_names_is_normalised_or_the_event_is_poison() -> None:
    uow = _uow()
    spaced = f" {HOLDER[:6].lower()}-{HOLDER[6:]}\u3000"
    await facts.parcels_changed(uow, [_received(_parcel("P-1", holder=spaced))])
    assert uow.facts.parcels["P-1"].holder_uscc == HOLDER
    await facts.enterprises_changed(uow, [_received(EnterpriseChanged(
        uscc=TENANT.lower(), name="租户", status="active",
        shareholders=[Shareholder(kind="enterprise", uscc=HOLDER.lower(), share=Decimal(1))]))])
    assert uow.facts.shareholdings == {TENANT: {f"E:{HOLDER}"}}
    bad = HOLDER[:17] + ("0" if HOLDER[17] != "0" else "1")
    poisoned: list[EventData] = [
        _parcel("P-2", holder=bad),
        LeaseChanged(parcel_id="P-1", lease_id="L9", tenant_uscc=bad, area_m2=Decimal(1), approved=False,
                     equity_linked=False),
        EnterpriseChanged(uscc=HOLDER, name="x", status="active",
                          shareholders=[Shareholder(kind="enterprise", uscc=bad, share=Decimal(1))]),
        replace_filing(_filing("P-1", 1, 1), uscc=bad),
        replace_filing(_filing("P-1", 1, 1), parcel_year_contributors=[HOLDER, bad]),
    ]
    handlers = {ParcelChanged: facts.parcels_changed, LeaseChanged: facts.leases_changed,
                EnterpriseChanged: facts.enterprises_changed, FilingAccepted: facts.filings_accepted}
    for data in poisoned:
        with pytest.raises(PoisonEvent, match="not a valid USCC"):
            await handlers[type(data)](uow, [_received(data)])
    assert "P-2" not in uow.facts.parcels and "L9" not in uow.facts.leases.get("P-1", {})
    assert uow.facts.revenue == {}


def replace_filing(filing: FilingAccepted, **changes: Any) -> FilingAccepted:
    return filing.model_copy(update=changes)


async def test_rulesets_are_added_once_and_never_changed() -> None:
    uow = FakeUnitOfWork()
    await rulesets.seed_rulesets(uow)
    seed = load_seed_ruleset()
    assert list(uow.rulesets.stored) == [seed.id]
    added, created = await rulesets.add_ruleset(uow, "r2", "新", document=None, based_on=seed.id,
                                                changes={"objection_window_days": 7}, created_by="admin")
    assert created and added.objection_window_days == 7
    same, created_again = await rulesets.add_ruleset(uow, "r2", "新", document=None, based_on=seed.id,
                                                     changes={"objection_window_days": 7}, created_by="admin")
    assert not created_again and same == added
    with pytest.raises(rulesets.RulesetConflict):
        await rulesets.add_ruleset(uow, "r2", "新", document=ruleset_to_dict(seed), based_on=None, changes={},
                                   created_by="admin")
    with pytest.raises(rulesets.UnknownBase):
        await rulesets.add_ruleset(uow, "r3", "x", document=None, based_on="nope", changes={}, created_by="a")
    with pytest.raises(rulesets.BadRulesetRequest):
        await rulesets.add_ruleset(uow, "r3", "x", document=None, based_on=None, changes={}, created_by="a")
    assert list(uow.rulesets.stored) == [seed.id, "r2"]


async def test_what_if_stores_nothing() -> None:
    uow = _uow()
    await _graded_year(uow)
    before = list(uow.grades.evaluations)
    seed = load_seed_ruleset()
    result = await simulation.simulate(uow, seed.id, 2025, {"thresholds": {"output_per_ha": "50000000"}}, 10)
    assert result["published"] is False and result["year"] == 2025
    assert uow.grades.evaluations == before and uow.events == []
    with pytest.raises(LookupError):
        await simulation.simulate(uow, "nope", 2025, {}, 10)


def test_the_fake_knows_every_repository_of_the_real_unit_of_work() -> None:
    from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork

    fake = _uow()
    for name in EvaluationUnitOfWork.__annotations__:
        assert hasattr(fake, name), name
    assert date(2025, 1, 1) < NOW.date()


# -- a final year is final -------------------------------------------------------------------------

async def _final_year(uow: Any) -> str:
    run_id = await _published(uow)
    uow.clock = lambda: NOW + timedelta(days=30)
    await publication.finalize(uow, run_id)
    return run_id


async def test_a_final_year_is_not_run_or_finalised_again() -> None:
    uow = _uow()
    run_id = await _final_year(uow)
    with pytest.raises(PublicationError) as again:
        await yearly_run.create_run(uow, 2025, None, "admin")
    assert again.value.kind == "year-final" and "重新评价" in again.value.zh
    with pytest.raises(PublicationError) as twice:
        await publication.finalize(uow, run_id)
    assert twice.value.kind == "already-final"
    assert [r["state"] for r in uow.runs.runs.values()] == ["final"]  # nothing new was started


async def test_an_objection_window_below_the_rulesets_minimum_is_refused() -> None:
    uow = _uow()
    await _graded_year(uow)
    run, _ = await yearly_run.create_run(uow, 2025, None, "admin")
    ctx = _ctx(uow, wake_relay=lambda: None)
    await yearly_run.execute_run(ctx, run["id"])  # type: ignore[arg-type]
    for days in (0, 4):
        with pytest.raises(publication.WindowTooShort) as short:
            await publication.publish(uow, run["id"], days)
        assert short.value.minimum == 5
    assert uow.runs.runs[run["id"]]["state"] == "draft"
    published = await publication.publish(uow, run["id"], None)  # the ruleset's own window
    assert published["objection_window_days"] == 5


def test_the_objection_window_counts_working_days_and_skips_national_day() -> None:
    # Published on Monday 29 September 2025 (Beijing): 30 September is a working day, 1–8 October
    # are the National Day and Mid-Autumn holidays, Saturday 11 October is a swapped working day.
    published = datetime(2025, 9, 29, 10, 0, tzinfo=publication.BEIJING)
    last_day, closes = publication.objection_deadline(published, 5)
    assert last_day == date(2025, 10, 13)
    assert closes == datetime(2025, 10, 14, 0, 0, tzinfo=publication.BEIJING)
    # An ordinary week: Thursday to the next Thursday.
    assert publication.objection_deadline(datetime(2025, 11, 6, 6, tzinfo=UTC), 5)[0] == date(2025, 11, 13)
    # 16:00 UTC on Thursday is already Friday in Beijing: the count starts a day later.
    assert publication.objection_deadline(datetime(2025, 11, 6, 16, tzinfo=UTC), 5)[0] == date(2025, 11, 14)


def test_an_unknown_official_calendar_is_refused_rather_than_guessed() -> None:
    with pytest.raises(publication.CalendarUnknown):
        publication.objection_deadline(datetime(2099, 3, 2, 10, tzinfo=UTC), 5)


def test_a_years_notice_from_the_operator_counts_its_holidays_and_swapped_workdays(tmp_path: Path) -> None:
    # A notice for 2099 (beyond the bundled data): Monday 2 March off, Saturday 7 March worked.
    notice = tmp_path / "calendar.json"
    notice.write_text(json.dumps({"2099": {"holidays": ["2099-03-02", "2099-03-03"], "workdays": ["2099-03-07"]}}))
    calendar = OfficialCalendar.with_notices_from(notice)
    published = datetime(2099, 2, 27, 10, tzinfo=publication.BEIJING)  # Friday
    # Working days after: Wed 4, Thu 5, Fri 6, Sat 7 (swapped), Mon 9.
    assert publication.objection_deadline(published, 5, calendar)[0] == date(2099, 3, 9)
    # Years the notice does not cover still come from the bundled data, or are refused.
    assert publication.objection_deadline(datetime(2025, 11, 6, 6, tzinfo=UTC), 5, calendar)[0] == date(2025, 11, 13)
    with pytest.raises(publication.CalendarUnknown):
        publication.objection_deadline(datetime(2098, 3, 2, 10, tzinfo=UTC), 5, calendar)


@pytest.mark.parametrize("content", [
    '{"2099": {"holidays": ["2099-13-01"]}}', '{"2099": {"holidays": ["2098-10-01"]}}',
    '{"99": {}}', '{"2099": {"holidays": ["2099-03-02"], "workdays": ["2099-03-02"]}}',
    '{"2099": {"holiday": []}}', '[1]', 'not json'])
def test_a_malformed_calendar_notice_is_refused_at_start(tmp_path: Path, content: str) -> None:
    notice = tmp_path / "calendar.json"
    notice.write_text(content)
    with pytest.raises(ValueError, match="official calendar file"):
        OfficialCalendar.with_notices_from(notice)


async def test_re_evaluating_a_final_year_publishes_each_change_as_a_correction() -> None:
    uow = _uow()
    with pytest.raises(PublicationError) as open_year:
        await re_evaluation.re_evaluate(uow, 2025, "复核", "land")
    assert open_year.value.kind == "year-not-final"
    await _final_year(uow)
    final_p1 = uow.grades.currents[("P-1", 2025)]
    # A late filing for P-1 (final A) lowers it, provisionally, like any fact.
    await facts.filings_accepted(uow, [_received(_filing("P-1", 100_000_000, 10_000_000, n=2))])
    provisional = uow.grades.currents[("P-1", 2025)]
    assert (provisional.grade, provisional.status) == ("B", "provisional")
    uow.grades.bulk_events.clear()
    done = await re_evaluation.re_evaluate(uow, 2025, "税务部门更正申报数据", "land-staff-1",
                                           idempotency=IdempotentRequest("land-staff-1", "re-1", "f"))
    assert (done["graded"], done["changed"], done["requested_by"]) == (2, 1, "land-staff-1")
    # The final A is corrected to B (the provisional B laid over it is settled as final).
    assert done["changes"][0] | {"evaluation_id": ""} == {"parcel_id": "P-1", "from": "A", "to": "B",
                                                         "evaluation_id": ""}
    [event] = uow.grades.bulk_events
    assert (event["status"], event["grade"], event["previous_grade"]) == ("final", "B", "A")
    assert event["correction"] == {"re_evaluation_id": done["id"], "replaces_evaluation_id": final_p1.evaluation_id,
                                   "replaces_grade": "A", "reason": "税务部门更正申报数据"}
    assert ParcelGraded.model_validate(event).correction is not None
    assert (uow.grades.currents[("P-1", 2025)].grade, uow.grades.currents[("P-1", 2025)].status) == ("B", "final")
    assert uow.grades.evaluations[-1].re_evaluation_id == done["id"]
    replay = await re_evaluation.re_evaluate(uow, 2025, "税务部门更正申报数据", "land-staff-1",
                                             idempotency=IdempotentRequest("land-staff-1", "re-1", "f"))
    assert replay["id"] == done["id"] and len(uow.runs.re_evaluated) == 1
    with pytest.raises(re_evaluation.UnknownParcels):
        await re_evaluation.re_evaluate(uow, 2025, "复核", "land", ["P-404"])


async def test_a_publication_made_earlier_is_recorded_with_its_own_day() -> None:
    uow = _uow()
    await _graded_year(uow)
    run, _ = await yearly_run.create_run(uow, 2025, None, "admin")
    ctx = _ctx(uow, wake_relay=lambda: None)
    await yearly_run.execute_run(ctx, run["id"])  # type: ignore[arg-type]
    with pytest.raises(publication.PublishedInFuture):
        await publication.publish(uow, run["id"], None, date(2026, 3, 2))
    with pytest.raises(publication.WindowTooShort):  # the minimum holds for a past publication too
        await publication.publish(uow, run["id"], 0, date(2026, 1, 5))
    published = await publication.publish(uow, run["id"], None, date(2026, 1, 5))
    assert published["objection_last_day"] == date(2026, 1, 12)  # Monday 5 January + 5 working days
    final = await publication.finalize(uow, run["id"])  # the window closed before today (1 March)
    assert final["state"] == "final"


async def test_a_run_queued_before_its_year_was_made_final_grades_nothing() -> None:
    uow = _uow()
    await _graded_year(uow)
    run, _ = await yearly_run.create_run(uow, 2025, None, "admin")
    await uow.runs.create(id="finalised-meanwhile", year=2025, state="final", ruleset_id=run["ruleset_id"])
    before = list(uow.grades.evaluations)
    ctx = _ctx(uow, wake_relay=lambda: None)
    await yearly_run.execute_run(ctx, run["id"])  # type: ignore[arg-type]
    assert uow.runs.runs[run["id"]]["state"] == "failed" and "final" in uow.runs.runs[run["id"]]["error"]
    assert uow.grades.evaluations == before


# -- dynamic monitoring (动态监测): warnings follow filings ------------------------------------------

def _quarterly(parcel_id: str, year: int, quarter: int, output: int, tax: int, n: int, *,
               year_output: int, year_tax: int, revision: int = 1, filing_id: str | None = None) -> Received[Any]:
    return _received(FilingAccepted(
        filing_id=filing_id or f"F-{parcel_id}-{year}-{quarter}-{n}", revision=revision, uscc=HOLDER,
        parcel_id=parcel_id, year=year, quarter=quarter, attributed_output=Decimal(output),
        attributed_tax=Decimal(tax), counted=True, parcel_year_output=Decimal(year_output),
        parcel_year_tax=Decimal(year_tax), parcel_year_filings=n))


async def _a_parcel_with_two_even_years(uow: Any) -> None:
    """1 ha, 1亿元 output and 750万元 tax each quarter of 2024 and 2025: A in 2025."""
    await facts.parcels_changed(uow, [_received(_parcel("P-W"))])
    for year in (2024, 2025):
        await facts.filings_accepted(uow, [
            _quarterly("P-W", year, q, 100_000_000, 7_500_000, q, year_output=100_000_000 * q,
                       year_tax=7_500_000 * q) for q in (1, 2, 3, 4)])
    assert uow.grades.currents[("P-W", 2025)].grade == "A"


def _warnings(uow: Any) -> list[WarningChanged]:
    return [e for e in uow.events if isinstance(e, WarningChanged)]


async def test_a_filing_that_falls_behind_raises_a_warning_and_one_that_catches_up_withdraws_it() -> None:
    uow = FakeUnitOfWork(with_changes(load_seed_ruleset(), {"outlook": {"warn_from_quarter": 1}}))
    await _a_parcel_with_two_even_years(uow)
    assert _warnings(uow) == []  # past years are never projected

    # Q1 of 2026 (the current year): 0.5亿 against a quarter of the year in its own pattern → 2亿/ha.
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 50_000_000, 7_500_000, 1,
                                                  year_output=50_000_000, year_tax=7_500_000)])
    [raised] = _warnings(uow)
    assert (raised.change, raised.measure, raised.at_risk_of, raised.quarter) == ("raised", "output_per_ha", "B", 1)
    assert raised.nature == "projection" and raised.street == STREET
    assert raised.projected_per_ha == Decimal("200000000.00") and raised.threshold_per_ha == Decimal(300_000_000)
    assert (raised.pattern_source, raised.pattern_years) == ("own", [2024, 2025])
    assert raised.zh is not None and raised.zh.startswith("有降为B类的风险")
    assert list(uow.monitoring.warnings[("P-W", 2026)]) == ["output_per_ha"]
    # The projection changes no grade: the year-to-date grade is whatever its facts say.
    assert all(isinstance(e, (ParcelGraded, WarningChanged)) for e in uow.events)

    # A second Q1 filing brings the year to 0.8亿 → 3.2亿/ha projected: the warning is withdrawn.
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 30_000_000, 0, 2,
                                                  year_output=80_000_000, year_tax=7_500_000)])
    withdrawn = _warnings(uow)[-1]
    assert (withdrawn.change, withdrawn.measure, withdrawn.projected_per_ha) == ("withdrawn", "output_per_ha", None)
    assert uow.monitoring.warnings[("P-W", 2026)] == {}


async def test_warnings_wait_for_the_quarter_the_ruleset_names_and_follow_a_revision() -> None:
    uow = _uow()  # the seed: warnings from Q2 on
    await _a_parcel_with_two_even_years(uow)
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 50_000_000, 7_500_000, 1,
                                                  year_output=50_000_000, year_tax=7_500_000, filing_id="F-26-1")])
    assert _warnings(uow) == []
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 2, 50_000_000, 7_500_000, 2,
                                                  year_output=100_000_000, year_tax=15_000_000)])
    [raised] = _warnings(uow)
    assert (raised.change, raised.quarter, raised.projected_per_ha) == ("raised", 2, Decimal("200000000.00"))
    # The Q1 filing corrected upwards (revision 2): the same warning, a smaller gap → changed.
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 90_000_000, 7_500_000, 2, revision=2,
                                                  year_output=140_000_000, year_tax=15_000_000, filing_id="F-26-1")])
    changed = _warnings(uow)[-1]
    assert (changed.change, changed.projected_per_ha) == ("changed", Decimal("280000000.00"))
    # An older revision arriving late changes nothing.
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 50_000_000, 7_500_000, 2, revision=1,
                                                  year_output=140_000_000, year_tax=15_000_000, filing_id="F-26-1")])
    assert [w.change for w in _warnings(uow)] == ["raised", "changed"]
    assert uow.monitoring.warnings[("P-W", 2026)]["output_per_ha"]["point_per_ha"] == Decimal("280000000.00")


async def test_a_correction_that_moves_a_filing_out_of_the_year_withdraws_its_warning() -> None:
    uow = FakeUnitOfWork(with_changes(load_seed_ruleset(), {"outlook": {"warn_from_quarter": 1}}))
    await _a_parcel_with_two_even_years(uow)
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 90_000_000, 7_500_000, 1, filing_id="F-X",
                                                  year_output=90_000_000, year_tax=7_500_000)])
    await facts.filings_accepted(uow, [_quarterly("P-W", 2026, 1, 40_000_000, 0, 2, filing_id="F-Y",
                                                  year_output=130_000_000, year_tax=7_500_000)])
    assert [w.change for w in _warnings(uow)] == []  # 1.3亿 by Q1: on track
    # F-X was filed for the wrong year: corrected into 2025, the year is behind (0.4亿 by Q1).
    await facts.filings_accepted(uow, [_quarterly("P-W", 2025, 1, 90_000_000, 7_500_000, 5, filing_id="F-X",
                                                  revision=2, year_output=490_000_000, year_tax=37_500_000)])
    assert [(w.change, w.year, w.measure) for w in _warnings(uow)] == [("raised", 2026, "output_per_ha"),
                                                                      ("raised", 2026, "tax_per_ha")]
