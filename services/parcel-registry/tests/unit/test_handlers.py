"""The service-layer handlers against an in-memory unit of work (no database): every command's
effects as a user would notice them, the ledger's state and the events it publishes."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

import pytest

from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged, SuspectedOccupant
from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.attribution import Attribution, Holding
from parcel_registry.domain.enterprises import (
    Enterprise,
    EnterpriseStatus,
    PersonRole,
    ResponsiblePerson,
    Shareholder,
    ShareholderKind,
)
from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.equity import Holding as EquityHolding
from parcel_registry.domain.errors import ActConflict, DomainValidationError, NotFound
from parcel_registry.domain.filings import Outcome, RevenueFiling
from parcel_registry.domain.history import Act, HistoryEntry
from parcel_registry.domain.leases import Lease, LeaseApproval
from parcel_registry.domain.output import Contribution, Totals, parcel_year
from parcel_registry.domain.parcels import Parcel, ParcelCategory
from parcel_registry.domain.records import Change, Stored, StoredEnterprise, enterprise_fingerprint
from parcel_registry.domain.related import Party
from parcel_registry.service_layer import enterprises, filings, intake, parcels, queries
from parcel_registry.service_layer.coalescing import FilingCoalescer
from servicekit.events import EventData
from servicekit.idempotency import IdempotentRequest

# ---- the fake unit of work ------------------------------------------------------------------


def person_ref(id_number: str) -> str:
    return "p_" + hashlib.sha256(id_number.upper().encode()).hexdigest()[:40]


class FakeParcels:
    def __init__(self) -> None:
        self.parcels: dict[str, Stored] = {}
        self.leases: dict[tuple[str, str], tuple[Lease, bool, int]] = {}

    async def lock(self, parcel_id: str) -> None:
        pass

    async def lock_all(self, parcel_ids: Iterable[str]) -> None:
        pass

    async def get_parcel(self, parcel_id: str) -> Stored | None:
        return self.parcels.get(parcel_id)

    async def get_parcels(self, parcel_ids: Iterable[str]) -> dict[str, Stored]:
        return {p: self.parcels[p] for p in parcel_ids if p in self.parcels}

    async def save_parcels(self, versions: Sequence[Stored]) -> None:
        self.parcels.update((s.parcel.parcel_id, s) for s in versions)

    async def list_parcels(self, *, jurisdiction: str | None, category: str | None, holder: str | None,
                           after: str | None, limit: int) -> tuple[list[Stored], int]:
        found = [s for _, s in sorted(self.parcels.items())
                 if (jurisdiction is None or s.parcel.jurisdiction == jurisdiction)
                 and (category is None or s.parcel.category.value == category)
                 and (holder is None or s.parcel.rights_holder == holder)]
        return [s for s in found if after is None or s.parcel.parcel_id > after][:limit], len(found)

    async def jurisdictions_of(self, parcel_ids: Iterable[str]) -> dict[str, str]:
        return {p: self.parcels[p].parcel.jurisdiction for p in parcel_ids if p in self.parcels}

    async def holdings_of(self, usccs: Iterable[str]) -> list[Holding]:
        keys = set(usccs)
        return [Holding(s.parcel.parcel_id, s.parcel.area_m2, s.parcel.rights_holder)
                for s in self.parcels.values() if s.parcel.rights_holder in keys]

    async def leases_on(self, parcel_id: str) -> list[tuple[Lease, bool, int]]:
        return [entry for (p, _), entry in sorted(self.leases.items()) if p == parcel_id]

    async def approved_leases_of(self, tenants: Iterable[str]) -> list[Lease]:
        keys = set(tenants)
        return [lease for lease, _, _ in self.leases.values() if lease.tenant in keys and lease.approval is not None]

    async def leases_touching(self, usccs: Sequence[str]) -> list[tuple[Lease, str, bool]]:
        found = []
        for lease, linked, _ in self.leases.values():
            holder = self.parcels[lease.parcel_id].parcel.rights_holder
            if lease.tenant in usccs or holder in usccs:
                found.append((lease, holder, linked))
        return found

    async def save_lease(self, lease: Lease, equity_linked: bool, version: int) -> None:
        self.leases[(lease.parcel_id, lease.lease_id)] = (lease, equity_linked, version)

    async def set_equity_linked(self, parcel_id: str, lease_id: str, linked: bool) -> int:
        lease, _, version = self.leases[(parcel_id, lease_id)]
        self.leases[(parcel_id, lease_id)] = (lease, linked, version + 1)
        return version + 1


class FakeEnterprises:
    def __init__(self) -> None:
        self.enterprises: dict[str, StoredEnterprise] = {}

    def fingerprint(self, enterprise: Enterprise) -> tuple[object, ...]:
        return enterprise_fingerprint(enterprise, person_ref)

    async def lock(self, uscc: str) -> None:
        pass

    async def get_enterprise(self, uscc: str) -> StoredEnterprise | None:
        return self.enterprises.get(uscc)

    async def save_enterprise(self, e: Enterprise, version: int) -> None:
        persons = [{"name": p.name, "role": p.role.value, "person_ref": person_ref(p.id_number),
                    "id_ciphertext": b"sealed", "id_masked": p.id_number[:3] + "*" * 15} for p in e.responsible_persons]
        holders = [{"kind": s.kind.value, "name": s.name, "share_pct": s.share_pct, "holder_uscc": s.uscc,
                    "person_ref": person_ref(s.id_number) if s.kind is ShareholderKind.PERSON and s.id_number else None,
                    "id_ciphertext": None, "id_masked": None} for s in e.shareholders]
        row = {"uscc": e.uscc, "name": e.name, "status": e.status.value, "version": version,
               "updated_at": datetime.now(UTC)}
        self.enterprises[e.uscc] = StoredEnterprise(row, persons, holders)

    def _holdings(self) -> list[EquityHolding]:
        return [EquityHolding(Party.enterprise(s["holder_uscc"]) if s["kind"] == "enterprise"
                              else Party.person(s["person_ref"]), company, Decimal(s["share_pct"]))
                for company, stored in self.enterprises.items() for s in stored.shareholders]

    async def holdings_around(self, usccs: Iterable[str], depth: int) -> list[EquityHolding]:
        return self._holdings()  # every holding: the domain's walk keeps to the depth itself

    async def people_of(self, uscc: str) -> set[str]:
        stored = self.enterprises[uscc]
        return {p["person_ref"] for p in stored.persons} | {s["person_ref"] for s in stored.shareholders
                                                          if s["person_ref"]}

    async def roles_of_people(self, refs: Iterable[str]) -> tuple[dict[str, list[tuple[str, str]]],
                                                                 list[EquityHolding]]:
        keys = set(refs)
        responsible: dict[str, list[tuple[str, str]]] = {}
        for uscc, stored in self.enterprises.items():
            for p in stored.persons:
                if p["person_ref"] in keys:
                    responsible.setdefault(uscc, []).append((p["person_ref"], p["role"]))
        return responsible, [h for h in self._holdings() if h.holder.key in keys]

    async def names_of(self, usccs: Iterable[str]) -> dict[str, str]:
        return {u: self.enterprises[u].row["name"] for u in usccs if u in self.enterprises}


class FakeHistory:
    def __init__(self) -> None:
        self.entries: list[HistoryEntry] = []

    async def record(self, *entries: HistoryEntry) -> None:
        self.entries += [replace(e, entry_id=len(self.entries) + n + 1) for n, e in enumerate(entries)]

    async def entries_of(self, subject: str, key: str) -> list[HistoryEntry]:
        return [e for e in reversed(self.entries) if (e.subject, e.key) == (subject, key)]

    async def entries(self, subject: str, key: str, *, before: int | None, limit: int) -> list[HistoryEntry]:
        found = await self.entries_of(subject, key)
        return [e for e in found if before is None or (e.entry_id or 0) < before][:limit]


@dataclass
class Recorded:
    filing: RevenueFiling
    attribution: Attribution
    received_by: str
    is_current: bool = True


class FakeFilings:
    def __init__(self) -> None:
        self.recorded: list[Recorded] = []
        self.locked: list[set[tuple[str, int]]] = []

    async def revisions_of(self, filing_ids: Iterable[str]) -> list[RevenueFiling]:
        ids = set(filing_ids)
        return [r.filing for r in self.recorded if r.filing.filing_id in ids]

    async def lock_filer_years(self, enterprise_years: Iterable[tuple[str, int]]) -> None:
        pass

    async def lock_parcel_years(self, parcel_years: Iterable[tuple[str, int]]) -> None:
        self.locked.append(set(parcel_years))

    async def current_shares_of(self, filing_ids: Iterable[str]) -> list[tuple[str, str, int]]:
        ids = set(filing_ids)
        return sorted({(r.filing.filing_id, s.parcel_id, r.filing.year) for r in self.recorded
                       if r.is_current and r.filing.filing_id in ids for s in r.attribution.shares})

    async def record(self, accepted: Sequence[tuple[RevenueFiling, Attribution]], received_by: str) -> None:
        for f, a in accepted:
            for r in self.recorded:
                if r.filing.filing_id == f.filing_id:
                    r.is_current = False
            self.recorded.append(Recorded(f, a, received_by))

    async def current_shares_for(self, enterprise_years: Iterable[tuple[str, int]]) -> list[tuple[str, str, int]]:
        keys = set(enterprise_years)
        return sorted({(r.filing.uscc, s.parcel_id, r.filing.year) for r in self.recorded
                       if r.is_current and (r.filing.uscc, r.filing.year) in keys for s in r.attribution.shares})

    async def parcel_year_shares(self, parcel_years: Iterable[tuple[str, int]]) -> tuple[
            dict[tuple[str, int], list[Contribution]], set[tuple[str, int]]]:
        keys = set(parcel_years)
        by_pair: dict[tuple[str, int], list[Contribution]] = {}
        for r in self.recorded:
            for s in r.attribution.shares:
                if r.is_current and (s.parcel_id, r.filing.year) in keys:
                    by_pair.setdefault((s.parcel_id, r.filing.year), []).append(
                        Contribution(r.filing, s, r.attribution.method))
        annual = {(r.filing.uscc, r.filing.year) for r in self.recorded if r.is_current and r.filing.is_annual}
        return by_pair, annual

    async def parcel_year_totals(self, parcel_years: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Totals]:
        by_pair, annual = await self.parcel_year_shares(parcel_years)
        totals = {}
        for (p, y), shares in by_pair.items():
            out = parcel_year(p, y, shares, {u for u, year in annual if year == y})
            if out.contributions:
                totals[(p, y)] = out.totals
        return totals

    async def audit_trail(self, filing_id: str) -> list[dict[str, Any]]:
        return [{"filing": r.filing, "received_at": None, "received_by": r.received_by, "is_current": r.is_current,
                 "attribution": r.attribution}
                for r in sorted(self.recorded, key=lambda r: r.filing.revision) if r.filing.filing_id == filing_id]


@dataclass
class Ledger:
    """What the fake units of work share: the state a user would see."""

    parcels: FakeParcels = field(default_factory=FakeParcels)
    enterprises: FakeEnterprises = field(default_factory=FakeEnterprises)
    filings: FakeFilings = field(default_factory=FakeFilings)
    history: FakeHistory = field(default_factory=FakeHistory)
    emitted: list[EventData] = field(default_factory=list)
    commits: int = 0
    rollbacks: int = 0
    answers: dict[tuple[str, str], tuple[str, int, Any]] = field(default_factory=dict)  # Idempotency-Keys


class FakeUnitOfWork:
    """A unit of work over the in-memory ledger: events are kept only when the work commits."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.parcels, self.enterprises, self.filings = ledger.parcels, ledger.enterprises, ledger.filings
        self.history = ledger.history
        self._pending: list[EventData] = []

    async def __aenter__(self) -> FakeUnitOfWork:
        self._pending = []
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if error is None:
            self.ledger.emitted += self._pending
            self.ledger.commits += 1
        else:
            self.ledger.rollbacks += 1

    async def emit(self, *events: EventData) -> list[str]:
        self._pending += events
        return [str(len(self._pending))]

    async def replayed(self, request: IdempotentRequest | None) -> tuple[int, Any] | None:
        if request is None or (request.principal, request.key) not in self.ledger.answers:
            return None
        fingerprint, status, body = self.ledger.answers[(request.principal, request.key)]
        assert fingerprint == request.fingerprint
        return status, body

    async def remember(self, request: IdempotentRequest | None, status: int, body: Any) -> None:
        if request is not None:
            self.ledger.answers[(request.principal, request.key)] = (request.fingerprint, status, body)


# ---- the tests ------------------------------------------------------------------------------

HOLDER = with_check_character("91110115MA0000001")
TENANT = with_check_character("91110115MA0000002")
SQUATTER = with_check_character("91110115MA0000003")
OTHER = with_check_character("91110115MA0000004")
PERSON_ID = "11010519491231002X"
RULES = EquityRules(3, True, Decimal(0))


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def uow(ledger: Ledger) -> Any:
    return FakeUnitOfWork(ledger)


def plant(parcel_id: str = "P1", holder: str = HOLDER, area: str = "10000", **changes: Any) -> Parcel:
    return Parcel(parcel_id, "Plant", "ronghua", Decimal(area), ParcelCategory.APPROVED_PARK, holder, **changes)


def lease(lease_id: str = "L1", tenant: str = TENANT, approved: bool = True, area: str = "2500") -> Lease:
    approval = LeaseApproval("京技管批〔2024〕1号", date(2023, 12, 1)) if approved else None
    return Lease(lease_id, "P1", tenant, Decimal(area), date(2024, 1, 1), None, approval)


def filing(filing_id: str, uscc: str = HOLDER, parcel_id: str | None = "P1", output: str = "1000", **kw: Any) -> RevenueFiling:
    return RevenueFiling(filing_id, uscc, 2024, Decimal(output), Decimal("10"), parcel_id, kw.pop("quarter", None),
                         kw.pop("revision", 0))


def company(uscc: str, *shareholders: Shareholder) -> Enterprise:
    people = (ResponsiblePerson("张三", PersonRole.LEGAL_REPRESENTATIVE, PERSON_ID),)
    return Enterprise(uscc, f"Company {uscc[-4:]}", EnterpriseStatus.ACTIVE, people, shareholders)


def emitted(ledger: Ledger, kind: type[EventData]) -> list[Any]:
    return [e for e in ledger.emitted if isinstance(e, kind)]


STAFF = Act("clerk-wang", datetime(2026, 3, 2, 9, 30, tzinfo=UTC), "re-surveyed: 不动产测绘报告 2026-17")


async def test_put_parcel_registers_then_changes_and_announces_each_version(ledger: Ledger) -> None:
    stored, change = await parcels.put_parcel(uow(ledger), plant(), RULES)
    assert (change, stored.version) == (Change.CREATED, 1)
    again, unchanged = await parcels.put_parcel(uow(ledger), plant(), RULES)
    assert (unchanged, again.version) == (Change.UNCHANGED, 1)
    _, updated = await parcels.put_parcel(uow(ledger), plant(area="12000"), RULES, STAFF)
    assert updated is Change.UPDATED and ledger.parcels.parcels["P1"].version == 2
    announced = emitted(ledger, ParcelChanged)
    assert [(e.version, e.area_m2) for e in announced] == [(1, Decimal(10000)), (2, Decimal(12000))]
    assert announced[0].street == "荣华街道"


async def test_a_new_holder_relinks_the_parcels_leases(ledger: Ledger) -> None:
    await enterprises.put_enterprise(uow(ledger), company(OTHER, Shareholder(
        ShareholderKind.ENTERPRISE, "Tenant Co.", Decimal(60), uscc=TENANT)), RULES)
    await parcels.put_parcel(uow(ledger), plant(), RULES)
    await parcels.put_lease(uow(ledger), lease(), RULES)
    assert ledger.parcels.leases[("P1", "L1")][1] is False
    await parcels.put_parcel(uow(ledger), plant(holder=OTHER), RULES, STAFF)  # the tenant's parent now holds it
    assert ledger.parcels.leases[("P1", "L1")][1] is True
    assert [e.equity_linked for e in emitted(ledger, LeaseChanged)] == [False, True]


async def test_put_lease_derives_the_equity_link_and_refuses_broken_rules(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        await parcels.put_lease(uow(ledger), lease(), RULES)
    await parcels.put_parcel(uow(ledger), plant(), RULES)
    written, linked, version, change = await parcels.put_lease(uow(ledger), lease(), RULES)
    assert (linked, version, change) == (False, 1, Change.CREATED)
    assert (await parcels.put_lease(uow(ledger), lease(), RULES))[3] is Change.UNCHANGED
    with pytest.raises(DomainValidationError):
        await parcels.put_lease(uow(ledger), lease("L2", area="9000"), RULES)  # more than the parcel has left
    assert list(ledger.parcels.leases) == [("P1", "L1")]
    assert len(emitted(ledger, LeaseChanged)) == 1


async def test_import_sheet_writes_all_rows_or_none(ledger: Ledger) -> None:
    header = "parcel_id,name,street,area_m2,category,rights_holder,address\n"
    good = header + f"YZ-1,Optics,boxing,25000,self_use,{HOLDER},\nYZ-2,Park,荣华街道,8000,立项园区,{HOLDER},\n"
    counts = await parcels.import_sheet(uow(ledger), good.encode(), RULES)
    assert counts == {"imported": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert sorted(ledger.parcels.parcels) == ["YZ-1", "YZ-2"] and len(emitted(ledger, ParcelChanged)) == 2

    bad = header + f"YZ-1,Optics,boxing,26000,self_use,{HOLDER},\nYZ-3,Bad,boxing,-1,self_use,{HOLDER},\n"
    with pytest.raises(parcels.ImportRefused) as refused:
        await parcels.import_sheet(uow(ledger), bad.encode(), RULES)
    assert [e.row for e in refused.value.errors] == [3]
    assert ledger.parcels.parcels["YZ-1"].parcel.area_m2 == Decimal(25000) and "YZ-3" not in ledger.parcels.parcels
    with pytest.raises(parcels.UnreadableFile):
        await parcels.import_sheet(uow(ledger), b"   ", RULES)


async def test_a_large_sheet_is_written_a_chunk_at_a_time(ledger: Ledger) -> None:
    """Each step of the write (versions, events) holds at most IMPORT_CHUNK rows: the event loop
    answers other requests between them, however large the sheet."""
    rows = 2 * parcels.IMPORT_CHUNK + 7
    sheet = "parcel_id,name,street,area_m2,category,rights_holder\n" + "".join(
        f"YZ-{n:05d},Plant {n},boxing,{1000 + n},self_use,{HOLDER}\n" for n in range(rows))
    emits: list[int] = []
    saves: list[int] = []

    class Recording(FakeUnitOfWork):
        async def emit(self, *events: EventData) -> list[str]:
            emits.append(len(events))
            return await super().emit(*events)

    real_save = ledger.parcels.save_parcels

    async def save(versions: Sequence[Stored]) -> None:
        saves.append(len(versions))
        await real_save(versions)

    ledger.parcels.save_parcels = save  # type: ignore[method-assign]
    counts = await parcels.import_sheet(Recording(ledger), sheet.encode(), RULES)
    assert counts["created"] == rows and len(ledger.parcels.parcels) == rows
    assert sum(emits) == sum(saves) == rows
    assert max(emits) == max(saves) == parcels.IMPORT_CHUNK and len(emits) == 3
    assert len(emitted(ledger, ParcelChanged)) == rows and ledger.commits == 1  # still all or nothing


async def test_an_import_retried_under_its_idempotency_key_is_answered_without_writing_again(ledger: Ledger) -> None:
    sheet = f"parcel_id,name,street,area_m2,category,rights_holder\nYZ-7,Optics,boxing,100,self_use,{HOLDER}\n"
    key = IdempotentRequest("clerk", "k-1", "fingerprint")
    first = await parcels.import_sheet(uow(ledger), sheet.encode(), RULES, idempotency=key)
    ledger.parcels.parcels.clear()  # had the retry written again, the parcel would be back
    again = await parcels.import_sheet(uow(ledger), sheet.encode(), RULES, idempotency=key)
    assert again == first == {"imported": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert ledger.parcels.parcels == {} and len(emitted(ledger, ParcelChanged)) == 1


async def test_put_enterprise_keeps_id_numbers_out_of_its_events(ledger: Ledger) -> None:
    stored, change = await enterprises.put_enterprise(uow(ledger), company(HOLDER), RULES)
    assert change is Change.CREATED and stored.row["version"] == 1
    assert (await enterprises.put_enterprise(uow(ledger), company(HOLDER), RULES))[1] is Change.UNCHANGED
    [event] = emitted(ledger, EnterpriseChanged)
    assert event.responsible_persons[0].person_ref == person_ref(PERSON_ID)
    assert PERSON_ID not in event.model_dump_json()


async def test_a_new_shareholding_relinks_leases_it_links(ledger: Ledger) -> None:
    await parcels.put_parcel(uow(ledger), plant(), RULES)
    await parcels.put_lease(uow(ledger), lease(), RULES)
    _, change = await enterprises.put_enterprise(uow(ledger), company(TENANT, Shareholder(
        ShareholderKind.ENTERPRISE, "Holder Co.", Decimal(51), uscc=HOLDER)), RULES)
    assert change is Change.CREATED
    assert ledger.parcels.leases[("P1", "L1")][1:] == (True, 2)
    assert [e.equity_linked for e in emitted(ledger, LeaseChanged)] == [False, True]


async def _ledger_with_lease(ledger: Ledger) -> None:
    await parcels.put_parcel(uow(ledger), plant(), RULES)
    await parcels.put_parcel(uow(ledger), plant("P2"), RULES)
    await parcels.put_lease(uow(ledger), lease(), RULES)
    ledger.emitted.clear()


async def test_submit_chunk_decides_each_line_and_announces_the_totals(ledger: Ledger) -> None:
    await _ledger_with_lease(ledger)
    lines = [(1, filing("F1")), (2, filing("F2", TENANT, output="500")), (3, filing("F3", SQUATTER, output="7")),
             (4, filing("F4", parcel_id="NOPE"))]
    results = await filings.submit_chunk(uow(ledger), lines, "tax-system")
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.ACCEPTED, None]
    assert results[3].field == "parcel_id" and "NOPE" in results[3].reason

    accepted = emitted(ledger, FilingAccepted)
    assert {e.filing_id for e in accepted} == {"F1", "F2", "F3"}
    last = accepted[-1]
    assert (last.parcel_id, last.parcel_year_output, last.parcel_year_filings) == ("P1", Decimal(1500), 2)
    assert last.parcel_year_contributors == sorted([HOLDER, TENANT])
    [suspect] = emitted(ledger, SuspectedOccupant)
    assert (suspect.uscc, suspect.parcel_id, suspect.street) == (SQUATTER, "P1", "荣华街道")
    assert {r.received_by for r in ledger.filings.recorded} == {"tax-system"}

    again = await filings.submit_chunk(uow(ledger), [(1, filing("F1")), (2, filing("F1", output="1"))], "tax-system")
    assert [r.outcome for r in again] == [Outcome.DUPLICATE, Outcome.CONFLICT]


async def test_a_correction_moved_to_another_parcel_announces_the_parcel_it_left(ledger: Ledger) -> None:
    await _ledger_with_lease(ledger)
    await filings.submit_chunk(uow(ledger), [(1, filing("F1"))], "tax-system")
    ledger.emitted.clear()
    [moved] = await filings.submit_chunk(uow(ledger), [(1, filing("F1", parcel_id="P2", revision=1))], "tax-system")
    assert moved.outcome is Outcome.REVISED
    by_parcel = {e.parcel_id: e for e in emitted(ledger, FilingAccepted)}
    assert by_parcel["P1"].attributed_output == 0 and by_parcel["P1"].parcel_year_output == 0
    assert by_parcel["P2"].parcel_year_output == Decimal(1000)


def coalescer(ledger: Ledger) -> FilingCoalescer:
    return FilingCoalescer(lambda: uow(ledger), writers=1)


def command(filing_id: str, **changes: Any) -> intake.FilingIn:
    body = {"filing_id": filing_id, "uscc": HOLDER, "parcel_id": "P1", "year": 2024, "quarter": 1,
            "output_value": "100.50", "tax_paid": "10"}
    return intake.FilingIn.model_validate(body | changes)


async def test_receive_filing_answers_each_filing_of_a_shared_chunk(ledger: Ledger) -> None:
    await _ledger_with_lease(ledger)
    commits = ledger.commits
    filings_in = coalescer(ledger)
    results = await asyncio.gather(
        *(intake.receive_filing(filings_in, command(f"F{n}"), "tax", 2025) for n in range(5)))
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 5
    assert ledger.commits - commits == 1  # all five were waiting when the writer started: one chunk
    assert (await intake.receive_filing(filings_in, command("F0"), "tax", 2025)).outcome is Outcome.DUPLICATE

    with pytest.raises(intake.ConflictingFiling) as conflict:
        await intake.receive_filing(filings_in, command("F0", output_value="1"), "tax", 2025)
    assert conflict.value.field == "revision"
    with pytest.raises(intake.UnknownParcel) as unknown:
        await intake.receive_filing(filings_in, command("F9", parcel_id="NOPE"), "tax", 2025)
    assert unknown.value.field == "parcel_id"
    with pytest.raises(DomainValidationError):
        await intake.receive_filing(filings_in, command("F9", tax_paid="-1"), "tax", 2025)
    assert sorted(r.filing.filing_id for r in ledger.filings.recorded) == [f"F{n}" for n in range(5)]


def test_read_filing_reads_a_body_as_the_framework_does() -> None:
    assert intake.read_filing(command("F1").model_dump_json().encode()) == command("F1")
    for body, where in ((b"", ("body",)), (b"{nope", ("body", 1)), (b'{"filing_id": "F1"}', ("body", "uscc"))):
        with pytest.raises(intake.InvalidFilingBody) as invalid:
            intake.read_filing(body)
        assert invalid.value.errors[0]["loc"] == where


async def test_receive_batch_counts_every_line_and_writes_in_chunks(ledger: Ledger) -> None:
    await _ledger_with_lease(ledger)

    async def lines() -> AsyncIterator[tuple[int, RevenueFiling | str]]:
        yield 1, filing("B1")
        yield 2, "year: Input should be a valid integer"
        yield 3, filing("B2", parcel_id="NOPE")
        yield 4, filing("B3")
        yield 5, filing("B1")
        yield 6, filing("B4")

    report = await intake.receive_batch(uow(ledger), lines(), "tax", chunk_size=2, max_filings=5, current_year=2025)
    assert (report["received"], report["accepted"], report["duplicate"], report["rejected"]) == (6, 2, 1, 3)
    assert [(e["line"], e["kind"]) for e in report["errors"]] == [(2, "invalid"), (3, "unknown_parcel"),
                                                                  (6, "over_limit")]
    assert sorted({r.filing.filing_id for r in ledger.filings.recorded}) == ["B1", "B3"]


async def test_a_filing_for_a_year_not_yet_begun_is_refused_and_past_years_are_kept(ledger: Ledger) -> None:
    await _ledger_with_lease(ledger)
    filings_in = coalescer(ledger)
    with pytest.raises(DomainValidationError) as future:
        await intake.receive_filing(filings_in, command("Y1", year=2081), "tax", 2025)
    assert [(e.field, e.reason) for e in future.value.errors] == [
        ("year", "must not be after the current year: allowed 1949 to 2025")]
    for year in (2025, 2019):  # this year, and history from before any ruleset
        assert (await intake.receive_filing(filings_in, command(f"Y{year}", year=year), "tax", 2025)).outcome \
            is Outcome.ACCEPTED

    async def lines() -> AsyncIterator[tuple[int, RevenueFiling | str]]:
        yield 1, filing("B1")
        yield 2, replace(filing("B2"), year=2026)

    report = await intake.receive_batch(uow(ledger), lines(), "tax", chunk_size=10, max_filings=10, current_year=2025)
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["reason"] == "year: must not be after the current year: allowed 1949 to 2025"


async def test_queries_answer_what_the_ledger_holds(ledger: Ledger) -> None:
    await _ledger_with_lease(ledger)
    await enterprises.put_enterprise(uow(ledger), company(TENANT, Shareholder(
        ShareholderKind.ENTERPRISE, "Holder Co.", Decimal(51), uscc=HOLDER)), RULES)
    await enterprises.put_enterprise(uow(ledger), company(HOLDER), RULES)
    await filings.submit_chunk(uow(ledger), [(1, filing("F1")), (2, filing("F2", TENANT, output="500"))], "tax")

    stored, leases = await queries.parcel(uow(ledger), "P1")
    assert stored.version == 1 and [entry[0].lease_id for entry in leases] == ["L1"]
    assert (await queries.lease(uow(ledger), "P1", "L1"))[1] is True
    page = await queries.parcels(uow(ledger), jurisdiction="ronghua", category=None, holder=HOLDER, after=None, limit=1)
    assert ([s.parcel.parcel_id for s in page.items], page.total, page.next_after) == (["P1"], 2, "P1")
    _, out = await queries.parcel_output(uow(ledger), "P1", 2024)
    assert (out.output_value, len(out.contributions)) == (Decimal(1500), 2)
    assert (await queries.enterprise(uow(ledger), HOLDER)).row["name"] == company(HOLDER).name
    assert await queries.link(uow(ledger), RULES, TENANT, HOLDER) is not None
    related = await queries.related(uow(ledger), RULES, HOLDER)
    assert TENANT in {p.uscc for p in related.parties}
    [revision] = await queries.filing_trail(uow(ledger), "F1")
    assert revision.is_current and revision.received_by == "tax"
    for missing in (queries.parcel(uow(ledger), "NOPE"), queries.lease(uow(ledger), "P1", "L9"),
                    queries.enterprise(uow(ledger), OTHER), queries.filing_trail(uow(ledger), "F9")):
        with pytest.raises(NotFound):
            await missing


async def test_a_change_of_area_without_a_reason_is_refused_and_with_one_is_recorded_with_who_and_why(
    ledger: Ledger,
) -> None:
    await parcels.put_parcel(uow(ledger), plant(), RULES, replace(STAFF, reason=None))
    with pytest.raises(ActConflict) as refused:
        await parcels.put_parcel(uow(ledger), plant(area="9000"), RULES, replace(STAFF, reason=None))
    assert [e.field for e in refused.value.errors] == ["reason"]
    assert ledger.parcels.parcels["P1"].parcel.area_m2 == Decimal(10000)
    await parcels.put_parcel(uow(ledger), plant(area="9000"), RULES, STAFF)
    latest, first = await ledger.history.entries_of("parcel", "P1")
    assert (first.kind, latest.kind) == ("registered", "changed")
    assert (latest.act.actor, latest.act.reason) == ("clerk-wang", STAFF.reason)
    assert latest.changes == {"area_m2": {"from": "10000", "to": "9000"}}


async def test_a_transfer_dates_the_holders_and_announces_them(ledger: Ledger) -> None:
    from parcel_registry.service_layer import transfers

    await parcels.put_parcel(uow(ledger), plant(), RULES)
    act = replace(STAFF, reason="出让合同转让", reference="京(2026)开发区不动产权第7号")
    stored, change = await transfers.transfer(uow(ledger), RULES, "P1", OTHER, date(2026, 3, 1), act,
                                              date(2026, 6, 1))
    assert change is Change.UPDATED and stored.parcel.rights_holder == OTHER
    again = await transfers.transfer(uow(ledger), RULES, "P1", OTHER, date(2026, 3, 1), act, date(2026, 6, 1))
    assert again[1] is Change.UNCHANGED
    announced = emitted(ledger, ParcelChanged)[-1]
    assert announced.holders is not None
    assert [(h.uscc, h.valid_from, h.valid_to) for h in announced.holders] == [
        (HOLDER, None, date(2026, 3, 1)), (OTHER, date(2026, 3, 1), None)]
    [entry, _] = await ledger.history.entries_of("parcel", "P1")
    assert (entry.kind, entry.effective_on, entry.act.reference) == ("transfer", date(2026, 3, 1), act.reference)


async def test_an_unapproved_lease_reports_its_tenant_as_a_suspected_occupant(ledger: Ledger) -> None:
    await parcels.put_parcel(uow(ledger), plant(), RULES)
    await parcels.put_lease(uow(ledger), lease("L1", approved=True), RULES)
    assert emitted(ledger, SuspectedOccupant) == []  # an approved lease occupies lawfully
    await parcels.put_lease(uow(ledger), lease("L2", tenant=OTHER, approved=False, area="500"), RULES)
    await parcels.put_lease(uow(ledger), lease("L2", tenant=OTHER, approved=False, area="500"), RULES)  # unchanged
    await parcels.put_lease(uow(ledger), lease("L2", tenant=OTHER, approved=False, area="600"), RULES)  # changed
    reports = emitted(ledger, SuspectedOccupant)
    assert len(reports) == 2  # registered, then changed; the unchanged repeat tells no one
    report = reports[0]
    assert (report.parcel_id, report.uscc, report.lease_id, report.filing_id, report.year) == (
        "P1", OTHER, "L2", "", 2024)
    assert report.street == "荣华街道" and report.reason.startswith("未经批准的租赁登记") and "L2" in report.reason
