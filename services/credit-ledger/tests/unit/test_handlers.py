"""The service-layer handlers against a fake unit of work: in-memory repositories with the same
methods as the PostgreSQL ones, and the events each handler emits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import MetaData

from credit_ledger.domain.benefits import BenefitChange, EnterpriseBenefits, Held, HistoryEntry
from credit_ledger.domain.chain import Anchor, ChainedRecord, append, verify
from credit_ledger.domain.disclosure import Downgraded, PublicListPolicy
from credit_ledger.domain.enterprises import Enterprise, EnterpriseState, EquityLink, ResponsiblePerson
from credit_ledger.domain.entitlements import Entitlement, Standing
from credit_ledger.domain.grades import Grade, GradeFact, GradeStatus, QualityHolder
from credit_ledger.domain.notices import Contact, Notice, NoticePolicy, NoticeStatus
from credit_ledger.domain.paging import HolderCursor
from credit_ledger.domain.penetration import EnterpriseGraph, EquityRule, RelationsCounted, SubjectKind
from credit_ledger.domain.reads import CreditRead
from credit_ledger.domain.records import CreditRecord, Polarity, RecordKind
from credit_ledger.domain.repairs import Repair, RepairApplication, RepairKind, RepairRefused, RepairStatus
from credit_ledger.domain.subjects import NotYourEnterprise, UnknownEnterprise, UnknownSubject
from credit_ledger.service_layer import cases, grading, queries, registry, repairs
from credit_ledger.service_layer.anchoring import anchor_if_advanced
from landgrade_events.credit import BenefitChanged, CreditRecordAppended, LedgerAnchored
from landgrade_events.enforcement import CaseChanged
from landgrade_events.evaluation import Metrics, ParcelGraded, Reason
from landgrade_events.registry import EnterpriseChanged, ResponsiblePersonRef, Shareholder
from landgrade_reference.uscc import with_check_character
from servicekit.auth import ADMIN, Principal
from servicekit.events import CloudEvent, EventData
from servicekit.idempotency import IdempotentRequest, idempotency_table
from servicekit.inbox import Delivery, PoisonEvent, Received
from servicekit.outbox import Outbox, outbox_table
from servicekit.problems import Problem
from servicekit.uow import Storage

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# Valid USCCs (check character included): the handlers refuse any other as poison.
HOLDER, AFFILIATE, OWNER, OTHER = (with_check_character(f"91110302MA00{body}") for body in
                                   ("HLDR1", "AFFL2", "WNER3", "THER4"))
PERSON = "psn-0001"


class FakeLedger:
    def __init__(self) -> None:
        self.chain: list[tuple[ChainedRecord, CreditRecord]] = []
        self.stored_anchors: list[Anchor] = []
        self.head_locks = 0

    async def lock_head(self) -> Anchor:
        self.head_locks += 1
        return await self.read_head()

    async def hold_head(self) -> None:
        self.head_locks += 1

    async def read_head(self) -> Anchor:
        if not self.chain:
            return Anchor(0, "0" * 64)
        last = self.chain[-1][0]
        return Anchor(last.sequence, last.hash)

    async def append(self, records: Sequence[CreditRecord]) -> list[ChainedRecord]:
        head: Anchor | None = await self.read_head() if self.chain else None
        chained = []
        for record in records:
            link = append(head, record.payload())
            chained.append(link)
            self.chain.append((link, record))
            head = Anchor(link.sequence, link.hash)
        return chained

    async def exists(self, record_id: str) -> bool:
        return await self.record(record_id) is not None

    async def record(self, record_id: str) -> CreditRecord | None:
        return next((r for _, r in self.chain if r.record_id == record_id), None)

    async def of_origin(self, origin: str) -> list[CreditRecord]:
        return [r for _, r in self.chain if r.origin == origin]

    async def of_subject(self, subject_ref: str) -> list[tuple[int, CreditRecord]]:
        return [(c.sequence, r) for c, r in self.chain if r.subject_ref == subject_ref]

    async def superseded_ids(self, record_ids: Sequence[str]) -> set[str]:
        return {r.supersedes for _, r in self.chain if r.supersedes in record_ids and r.supersedes}

    async def chunks(self, size: int = 2000) -> AsyncIterator[list[ChainedRecord]]:
        links = [c for c, _ in self.chain]
        for start in range(0, len(links), size):
            yield links[start:start + size]

    async def anchors(self) -> list[Anchor]:
        return list(self.stored_anchors)

    async def anchored_up_to(self) -> int:
        return max((a.sequence for a in self.stored_anchors), default=0)

    async def add_anchor(self, head: Anchor) -> bool:
        if any(a.sequence == head.sequence for a in self.stored_anchors):
            return False
        self.stored_anchors.append(head)
        return True

    def records(self, subject_ref: str | None = None) -> list[CreditRecord]:
        return [r for _, r in self.chain if subject_ref is None or r.subject_ref == subject_ref]


class FakeGraph:
    def __init__(self) -> None:
        self.enterprises: dict[str, EnterpriseState] = {}

    async def replace(self, state: EnterpriseState, effective_on: date) -> None:
        self.enterprises[state.uscc] = state  # undated: the dated store is tested on PostgreSQL

    async def around(self, holders: Iterable[str], year: int, counted: RelationsCounted) -> EnterpriseGraph:
        # The whole graph: penetration from a holder reads only its own neighbourhood.
        return EnterpriseGraph(
            names={u: e.name for u, e in self.enterprises.items()},
            responsible_persons={u: frozenset(p.person_ref for p in e.persons) for u, e in self.enterprises.items()},
            equity_links=frozenset((s, u) for u, e in self.enterprises.items() for s, _ in e.shareholders if s != u),
            equity_shares={(s, u): share for u, e in self.enterprises.items() for s, share in e.shareholders},
        )

    async def names(self, usccs: Iterable[str]) -> dict[str, str]:
        return {u: self.enterprises[u].name for u in usccs if u in self.enterprises}

    async def enterprise(self, uscc: str) -> Enterprise | None:
        e = self.enterprises.get(uscc)
        return Enterprise(e.uscc, e.name, e.status) if e else None

    async def is_person(self, person_ref: str) -> bool:
        return any(p.person_ref == person_ref for e in self.enterprises.values() for p in e.persons)

    async def persons_of(self, uscc: str, on: date | None = None) -> list[ResponsiblePerson]:
        e = self.enterprises.get(uscc)
        return sorted(e.persons, key=lambda p: p.person_ref) if e else []

    async def equity_links_of(self, uscc: str, on: date | None = None) -> list[EquityLink]:
        return [EquityLink(s, u, share) for u, e in self.enterprises.items() for s, share in e.shareholders
                if uscc in (s, u) and s != u]


class FakeRegister:
    def __init__(self) -> None:
        self.entries: dict[str, EnterpriseBenefits] = {}
        self.history: list[tuple[BenefitChange, GradeFact]] = []

    async def tied_to_parcels(self, parcel_ids: Iterable[str]) -> set[str]:
        parcels = set(parcel_ids)
        return {u for u, e in self.entries.items() if parcels & set(e.standings)}

    async def load(self, usccs: Iterable[str]) -> dict[str, EnterpriseBenefits]:
        return {u: self.entries[u] for u in sorted(set(usccs)) if u in self.entries}

    async def save(self, entries: Iterable[EnterpriseBenefits], before: Mapping[str, EnterpriseBenefits]) -> None:
        for entry in entries:
            if entry.standings or entry.held:
                self.entries[entry.uscc] = entry
            else:
                self.entries.pop(entry.uscc, None)

    async def record_histories(self, changes: list[tuple[BenefitChange, GradeFact]]) -> None:
        self.history += changes

    async def held_by(self, uscc: str) -> list[Held]:
        entry = self.entries.get(uscc)
        return sorted(entry.held.values(), key=lambda h: h.entitlement.value) if entry else []

    async def standings_of(self, uscc: str) -> list[Standing]:
        entry = self.entries.get(uscc)
        return [entry.standings[p] for p in sorted(entry.standings)] if entry else []

    async def history_of(self, uscc: str, limit: int) -> list[HistoryEntry]:
        return [HistoryEntry(c.entitlement, c.action.value, c.reason, c.at, f.parcel_id, f.grade.value, f.status.value)
                for c, f in reversed(self.history) if c.uscc == uscc][:limit]

    async def holders(self, kind: Entitlement, after: str | None, limit: int) -> list[tuple[str, str | None, Held]]:
        return [(u, None, e.held[kind]) for u, e in sorted(self.entries.items())
                if kind in e.held and (after is None or u > after)][:limit]


class FakeGrades:
    def __init__(self) -> None:
        self.seen: dict[str, GradeFact] = {}

    async def add_new(self, facts: Sequence[GradeFact]) -> set[str]:
        fresh = set()
        for fact in facts:
            if fact.evaluation_id not in self.seen:
                self.seen[fact.evaluation_id] = fact
                fresh.add(fact.evaluation_id)
        return fresh

    async def latest_holder(self, parcel_id: str) -> str | None:
        graded = sorted((f for f in self.seen.values() if f.parcel_id == parcel_id), key=lambda f: f.graded_at)
        return graded[-1].holder_uscc if graded else None

    async def latest_final_year(self) -> int | None:
        return max((f.year for f in self.seen.values() if f.status is GradeStatus.FINAL), default=None)

    async def held_in(self, year: int) -> list[tuple[str, str, Grade]]:
        latest: dict[str, GradeFact] = {}
        for f in sorted(self.seen.values(), key=lambda f: f.graded_at):
            if f.year == year:
                latest[f.parcel_id] = f
        return sorted((f.holder_uscc, f.parcel_id, f.grade) for f in latest.values())

    async def quality_holders(self, year: int | None, limit: int, offset: int, policy: PublicListPolicy,
                              after: HolderCursor | None = None) -> tuple[int, list[QualityHolder]]:
        ordered = sorted(self.seen.values(), key=lambda f: f.graded_at)
        latest: dict[str, GradeFact] = {}
        for f in ordered:
            if f.status is GradeStatus.FINAL and f.year == year:
                latest[f.parcel_id] = f
        listed = []
        for f in latest.values():
            newer = [g for g in ordered if g.parcel_id == f.parcel_id and g.graded_at > f.graded_at]
            reviewed = policy.reviewed(newer[-1].grade if newer else None)
            if f.grade.value == "A" and not (reviewed and policy.downgraded is Downgraded.WITHHOLD):
                listed.append(QualityHolder(f.holder_uscc, None, f.parcel_id, f.year, reviewed))
        listed.sort(key=lambda h: (h.uscc, h.parcel_id))
        rest = [h for h in listed if after is None or (h.uscc, h.parcel_id) > (after.uscc, after.parcel_id)]
        return len(listed), rest[offset:offset + limit]


class FakeNotices:
    def __init__(self) -> None:
        self.kept: dict[str, Notice] = {}
        self.contacts: dict[str, Contact] = {}

    async def add(self, written: Sequence[Notice]) -> None:
        for notice in written:
            self.kept.setdefault(notice.notice_id, notice)

    def _numbered(self) -> list[tuple[int, Notice]]:
        return list(enumerate(self.kept.values(), start=1))

    async def of(self, recipient: str, after: int | None, limit: int) -> list[tuple[int, Notice]]:
        mine = [(n, x) for n, x in reversed(self._numbered()) if x.recipient == recipient
                and (after is None or n < after)]
        return mine[:limit]

    async def due(self, limit: int) -> list[tuple[int, Notice]]:
        return [(n, x) for n, x in self._numbered() if x.status is NoticeStatus.PENDING][:limit]

    def _update(self, seq: int, **changes: Any) -> None:
        notice = self._numbered()[seq - 1][1]
        self.kept[notice.notice_id] = replace(notice, attempts=notice.attempts + 1, **changes)

    async def sent(self, seq: int, channel: str, at: datetime) -> None:
        self._update(seq, status=NoticeStatus.SENT, channel=channel, sent_at=at, last_error=None)

    async def not_sent(self, seq: int, error: str, give_up: bool) -> None:
        self._update(seq, status=NoticeStatus.FAILED if give_up else NoticeStatus.PENDING, last_error=error)

    async def contact(self, uscc: str) -> Contact | None:
        return self.contacts.get(uscc)

    async def set_contact(self, contact: Contact, by: str, at: datetime) -> None:
        self.contacts[contact.uscc] = contact


class FakeRepairs:
    def __init__(self) -> None:
        self.stored: dict[str, Repair] = {}

    async def add(self, application: RepairApplication, applied_by: str) -> None:
        self.stored[application.repair_id] = Repair(application, applied_by)

    async def get(self, repair_id: str, *, lock: bool = False) -> Repair | None:
        return self.stored.get(repair_id)

    async def decide(self, repair_id: str, status: RepairStatus, decided_by: str, decided_at: datetime,
                     note: str | None) -> None:
        old = self.stored[repair_id]
        self.stored[repair_id] = Repair(replace(old.application, status=status), old.applied_by, decided_by,
                                        decided_at, note)


class FakeReads:
    def __init__(self) -> None:
        self.log: list[CreditRead] = []

    async def add(self, reader: str, scopes: str, subject_ref: str, unmasked: bool) -> None:
        self.log.append(CreditRead(reader, scopes, subject_ref, unmasked, T0))

    async def latest(self, subject_ref: str | None, limit: int) -> list[CreditRead]:
        return [r for r in reversed(self.log) if subject_ref is None or r.subject_ref == subject_ref][:limit]


class FakeUnitOfWork:
    """The same attributes as `CreditLedgerUnitOfWork`; what a handler commits is kept, what it
    emitted is in `events` (type, data) once committed; an error discards the transaction's events."""

    def __init__(self) -> None:
        metadata = MetaData()
        self.storage = Storage(None, Outbox(outbox_table(metadata), "credit-ledger"),  # type: ignore[arg-type]
                               idempotency_table(metadata))
        self.ledger, self.graph, self.register = FakeLedger(), FakeGraph(), FakeRegister()
        self.grades, self.repairs, self.reads = FakeGrades(), FakeRepairs(), FakeReads()
        self.equity_rule, self.notice_policy = EquityRule(), NoticePolicy()
        self.relations_counted = RelationsCounted.ANY_DAY
        self.notices = FakeNotices()
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.answers: dict[tuple[str, str], tuple[str, int, Any]] = {}
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self.pending = []
        return self

    async def __aexit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is None:
            self.events += self.pending
            self.commits += 1
        self.pending = []

    async def emit(self, *events: EventData) -> list[str]:
        self.pending += [(e.TYPE, e.model_dump(mode="json")) for e in events]
        return [str(len(self.pending))]

    async def emit_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            envelope = json.loads(row["payload"])
            self.pending.append((envelope["type"], envelope["data"]))

    async def replayed(self, request: IdempotentRequest | None) -> tuple[int, Any] | None:
        if request is None or (request.principal, request.key) not in self.answers:
            return None
        fingerprint, status, body = self.answers[(request.principal, request.key)]
        if fingerprint != request.fingerprint:
            raise Problem(409, "Idempotency key reused")
        return status, body

    async def remember(self, request: IdempotentRequest | None, status: int, body: Any) -> None:
        if request is not None:
            self.answers[(request.principal, request.key)] = (request.fingerprint, status, body)

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == event_type]


def received(*events: EventData) -> list[Received[Any]]:
    return [Received(e, Delivery(CloudEvent.wrap(e, source="test"), None)) for e in events]


_clock = iter(range(1, 100_000))


def graded(parcel: str, holder: str, grade: str, status: str = "final", evaluation_id: str | None = None,
           year: int = 2024) -> ParcelGraded:
    n = next(_clock)
    zero = Decimal("0")
    return ParcelGraded(
        evaluation_id=evaluation_id or f"ev-{n}", parcel_id=parcel, holder_uscc=holder, street="荣华街道",
        year=year, grade=grade, status=status,
        reasons=[Reason(clause="2.1", code=f"grade_{grade.lower()}", text_zh="测试", text_en=f"test {grade}")],
        metrics=Metrics(area_ha=Decimal("2"), output_value=zero, tax_paid=zero, output_per_ha=zero, tax_per_ha=zero),
        ruleset_id="etown-2024-draft", evaluated_at=T0 + timedelta(minutes=n),
    )


def enterprise(uscc: str, name: str, persons: Sequence[tuple[str, str]] = (),
               enterprise_shareholders: Sequence[str] = (), person_shareholders: Sequence[str] = ()) -> EnterpriseChanged:
    return EnterpriseChanged(
        uscc=uscc, name=name, status="active",
        responsible_persons=[ResponsiblePersonRef(person_ref=p, name=n, role="legal_representative") for p, n in persons],
        shareholders=[Shareholder(kind="enterprise", uscc=s, share=Decimal("0.6")) for s in enterprise_shareholders]
        + [Shareholder(kind="person", person_ref=p, share=Decimal("0.4")) for p in person_shareholders],
    )


def case(parcel: str, holder: str | None, state: str, case_id: str = "case-1") -> CaseChanged:
    return CaseChanged(case_id=case_id, parcel_id=parcel, street="荣华街道", holder_uscc=holder, kind="enforcement",
                       state=state, actor="officer-1", reason="lease ended", at=T0 + timedelta(minutes=next(_clock)))


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    """A holder whose responsible person also runs an affiliate, and which has an enterprise shareholder."""
    fake = FakeUnitOfWork()
    await registry.on_enterprises_changed(fake, received(
        enterprise(OWNER, "亦庄投资有限公司"),
        enterprise(AFFILIATE, "亦庄物流有限公司", [(PERSON, "王小明")]),
        enterprise(HOLDER, "亦庄精密制造有限公司", [(PERSON, "王小明")], [OWNER]),
    ))
    return fake


# --- enterprises ---------------------------------------------------------------------------------

async def test_an_enterprise_change_replaces_its_persons_and_keeps_only_enterprise_shareholders() -> None:
    fake = FakeUnitOfWork()
    await registry.on_enterprises_changed(fake, received(
        enterprise(HOLDER, "旧名称", [(PERSON, "王小明")], [OWNER], person_shareholders=["psn-9"]),
        enterprise(HOLDER, "亦庄精密制造有限公司", [("psn-2", "李四")], [OWNER], person_shareholders=["psn-9"]),
    ))
    state = fake.graph.enterprises[HOLDER]
    assert state.name == "亦庄精密制造有限公司"
    assert [p.person_ref for p in state.persons] == ["psn-2"]
    assert state.shareholders == ((OWNER, Decimal("0.6")),)
    assert fake.commits == 1 and fake.events == []


# --- gradings ------------------------------------------------------------------------------------

async def test_a_final_grading_penetrates_to_related_parties_and_grants_benefits(uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))

    subjects = {(r.subject_kind, r.subject_ref, r.relation.value) for r in uow.ledger.records()}
    assert subjects == {(SubjectKind.ENTERPRISE, HOLDER, "holder"), (SubjectKind.PERSON, PERSON, "responsible_person"),
                        (SubjectKind.ENTERPRISE, AFFILIATE, "person_affiliate"),
                        (SubjectKind.ENTERPRISE, OWNER, "equity_linked")}
    assert verify([c for c, _ in uow.ledger.chain]).ok
    appended = uow.of_type(CreditRecordAppended.TYPE)
    assert len(appended) == 4 and all(a["grade"] == "A" for a in appended)
    assert Entitlement.GREEN_CHANNEL in uow.register.entries[HOLDER].held
    granted = uow.of_type(BenefitChanged.TYPE)
    assert {(d["uscc"], d["benefit"], d["action"]) for d in granted} >= {(HOLDER, "green_channel", "granted")}
    assert all(change.uscc in {HOLDER, AFFILIATE, OWNER} for change, _ in uow.register.history)


async def test_a_grading_delivered_again_changes_nothing(uow: FakeUnitOfWork) -> None:
    event = graded("P-1", HOLDER, "A", evaluation_id="ev-once")
    await grading.on_parcels_graded(uow, received(event, event))
    records, events, history = len(uow.ledger.chain), len(uow.events), len(uow.register.history)
    await grading.on_parcels_graded(uow, received(event))
    assert (len(uow.ledger.chain), len(uow.events), len(uow.register.history)) == (records, events, history)
    assert records == 4


async def test_a_provisional_grading_writes_no_record_but_revokes_at_once(uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))
    records = len(uow.ledger.chain)
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "D", status="provisional")))
    assert len(uow.ledger.chain) == records
    assert Entitlement.GREEN_CHANNEL not in uow.register.entries[HOLDER].held
    assert any(d["action"] == "revoked" and d["uscc"] == HOLDER for d in uow.of_type(BenefitChanged.TYPE))


async def test_a_run_at_once_has_the_effects_of_its_events_one_by_one() -> None:
    async def world() -> FakeUnitOfWork:
        fake = FakeUnitOfWork()
        await registry.on_enterprises_changed(fake, received(
            enterprise(OWNER, "亦庄投资有限公司"), enterprise(AFFILIATE, "亦庄物流有限公司", [(PERSON, "王小明")]),
            enterprise(HOLDER, "亦庄精密制造有限公司", [(PERSON, "王小明")], [OWNER])))
        return fake

    first = graded("P-1", HOLDER, "A")
    run = [first, graded("P-2", HOLDER, "B", status="provisional"), graded("P-1", HOLDER, "D", status="provisional"),
           graded("P-3", AFFILIATE, "A"), graded("P-3", OTHER, "A"), first, graded("P-1", HOLDER, "A")]
    at_once, one_by_one = await world(), await world()
    await grading.on_parcels_graded(at_once, received(*run))
    for event in run:
        await grading.on_parcels_graded(one_by_one, received(event))

    def strip(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in ("seq", "record_id", "hash")}

    assert [(k, strip(d)) for k, d in at_once.events] == [(k, strip(d)) for k, d in one_by_one.events]
    assert at_once.register.entries == one_by_one.register.entries
    assert [r for _, r in at_once.ledger.chain] == [r for _, r in one_by_one.ledger.chain]


# --- cases ---------------------------------------------------------------------------------------

async def test_a_case_step_is_recorded_once_for_the_holder(uow: FakeUnitOfWork) -> None:
    step = case("P-1", HOLDER, "rectified")
    await cases.on_cases_changed(uow, received(step))
    await cases.on_cases_changed(uow, received(step))
    [record] = uow.ledger.records(HOLDER)
    assert record.kind is RecordKind.CASE and record.polarity is Polarity.POSITIVE
    assert "亦庄精密制造有限公司" in record.path_sentence
    assert [d["record_id"] for d in uow.of_type(CreditRecordAppended.TYPE)] == [record.record_id]


async def test_a_case_without_holder_falls_back_on_the_latest_grading_or_is_skipped(uow: FakeUnitOfWork) -> None:
    await cases.on_cases_changed(uow, received(case("P-never-graded", None, "opened", "case-a")))
    assert uow.ledger.chain == [] and uow.events == []

    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "C", status="provisional")))
    await cases.on_cases_changed(uow, received(case("P-1", None, "opened", "case-b")))
    [record] = uow.ledger.records(HOLDER)
    assert record.origin == "case-b" and record.polarity is Polarity.NEUTRAL


# --- repairs -------------------------------------------------------------------------------------

async def _negative_grade(uow: FakeUnitOfWork) -> CreditRecord:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "D")))
    return next(r for r in uow.ledger.records(HOLDER) if r.polarity is Polarity.NEGATIVE)


def _application(record_id: str, subject: str = HOLDER) -> repairs.ApplyForRepair:
    return repairs.ApplyForRepair(RepairKind.REPAIR, subject, record_id, ("doc-1",), "rectified", "applicant", T0)


async def test_an_application_is_stored_pending_and_replayed_under_its_key(uow: FakeUnitOfWork) -> None:
    target = await _negative_grade(uow)
    request = IdempotentRequest("applicant", "key-1", "fingerprint-1")
    status, body = await repairs.apply(uow, _application(target.record_id), request)
    assert status == 201 and body["status"] == "pending" and body["record_id"] == target.record_id
    assert isinstance(body["applied_at"], str)  # stored as JSON for the replay

    again = await repairs.apply(uow, _application(target.record_id), request)
    assert again == (201, body) and len(uow.repairs.stored) == 1
    with pytest.raises(Problem):
        await repairs.apply(uow, _application(target.record_id), IdempotentRequest("applicant", "key-1", "other"))


async def test_an_application_that_could_never_be_approved_is_refused(uow: FakeUnitOfWork) -> None:
    target = await _negative_grade(uow)
    with pytest.raises(RepairRefused) as refused:
        await repairs.apply(uow, _application(target.record_id, subject=AFFILIATE))
    assert refused.value.field == "subject_ref"
    with pytest.raises(repairs.RecordNotFound):  # a well-formed id the ledger does not hold: unknown (404)
        await repairs.apply(uow, _application("no-such-record"))
    assert uow.repairs.stored == {}


async def test_approval_supersedes_the_holders_record_and_its_penetrated_ones(uow: FakeUnitOfWork) -> None:
    target = await _negative_grade(uow)
    _, body = await repairs.apply(uow, _application(target.record_id))
    before = len(uow.events)

    answer = await repairs.decide(uow, repairs.DecideRepair(body["repair_id"], True, "admin", "ok", T0))
    appended = [r for _, r in uow.ledger.chain if r.kind is RecordKind.REPAIR]
    assert answer["status"] == "approved" and answer["decision_note"] == "ok"
    assert answer["appended_record_ids"] == [r.record_id for r in appended]
    assert appended[0].supersedes == target.record_id and len(appended) == 4  # holder, person, affiliate, owner
    assert len(uow.events) == before + len(appended)

    with pytest.raises(RepairRefused) as refused:
        await repairs.decide(uow, repairs.DecideRepair(body["repair_id"], False, "admin", "", T0))
    assert refused.value.field == "status"


async def test_rejection_only_closes_the_application(uow: FakeUnitOfWork) -> None:
    target = await _negative_grade(uow)
    _, body = await repairs.apply(uow, _application(target.record_id))
    records, events = len(uow.ledger.chain), len(uow.events)
    answer = await repairs.decide(uow, repairs.DecideRepair(body["repair_id"], False, "admin", "", T0))
    assert answer["status"] == "rejected" and answer["appended_record_ids"] == []
    assert (len(uow.ledger.chain), len(uow.events)) == (records, events)
    with pytest.raises(repairs.RepairNotFound):
        await repairs.decide(uow, repairs.DecideRepair("no-such-repair", True, "admin", "", T0))


# --- anchors -------------------------------------------------------------------------------------

async def test_the_head_is_anchored_once_each_time_the_ledger_advanced(uow: FakeUnitOfWork) -> None:
    assert await anchor_if_advanced(uow, T0) is None
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))
    anchor = await anchor_if_advanced(uow, T0)
    assert anchor == await uow.ledger.read_head() and anchor is not None and anchor.sequence == 4
    assert await anchor_if_advanced(uow, T0) is None
    [published] = uow.of_type(LedgerAnchored.TYPE)
    assert published["seq"] == 4 and published["head_hash"] == anchor.head_hash


# --- reads ---------------------------------------------------------------------------------------

async def test_a_persons_file_is_refused_but_the_attempt_is_logged(uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))
    reader = Principal("officer", frozenset({"credit:read"}))
    with pytest.raises(queries.PersonFileRefused):
        await queries.credit_file(uow, PERSON, reader)
    assert [(r.reader, r.subject_ref, r.unmasked) for r in uow.reads.log] == [("officer", PERSON, False)]

    admin = Principal("admin", frozenset({ADMIN}))
    file = await queries.credit_file(uow, PERSON, admin)
    assert file is not None and file["subject"]["kind"] == "person" and len(file["records"]) == 1


async def test_an_enterprise_file_masks_person_names_for_non_admin(uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))
    file = await queries.credit_file(uow, HOLDER, Principal("officer", frozenset({"credit:read"})))
    assert file is not None and file["masked"] and file["subject"]["name"] == "亦庄精密制造有限公司"
    assert [p["name"] for p in file["responsible_persons"]] != ["王小明"]
    with pytest.raises(UnknownEnterprise):
        await queries.credit_file(uow, OTHER, Principal("officer", frozenset({"credit:read"})))


# --- identifiers from events ---------------------------------------------------------------------

async def test_usccs_from_events_are_normalised_so_one_enterprise_has_one_spelling() -> None:
    fake = FakeUnitOfWork()
    spaced_lower = f"{HOLDER[:8].lower()} {HOLDER[8:].lower()}"
    await registry.on_enterprises_changed(fake, received(enterprise(spaced_lower, "亦庄精密制造有限公司", [],
                                                                    [OWNER.lower()])))
    assert list(fake.graph.enterprises) == [HOLDER]
    assert fake.graph.enterprises[HOLDER].shareholders == ((OWNER, Decimal("0.6")),)

    await grading.on_parcels_graded(fake, received(graded("P-1", HOLDER.lower(), "D")))
    assert {r.subject_ref for r in fake.ledger.records()} == {HOLDER, OWNER}
    assert Entitlement.RESTRICTED in fake.register.entries[HOLDER].held
    await cases.on_cases_changed(fake, received(case("P-1", f"{HOLDER[:9]}-{HOLDER[9:]}", "opened")))
    assert [r.kind for r in fake.ledger.records(HOLDER)][-1] is RecordKind.CASE


@pytest.mark.parametrize("bad", [HOLDER[:17] + ("1" if HOLDER[17] != "1" else "2"), HOLDER[:17], HOLDER + "1",
                                 "91110302HOLDER0001", "9111O302MA00HLDR1X"])
async def test_an_event_naming_a_malformed_uscc_is_poison_and_changes_nothing(bad: str) -> None:
    fake = FakeUnitOfWork()
    with pytest.raises(PoisonEvent):
        await grading.on_parcels_graded(fake, received(graded("P-1", bad, "D")))
    with pytest.raises(PoisonEvent):
        await registry.on_enterprises_changed(fake, received(enterprise(bad, "亦庄错码有限公司")))
    with pytest.raises(PoisonEvent):  # an enterprise shareholder dropped would hide a related party
        await registry.on_enterprises_changed(fake, received(enterprise(HOLDER, "亦庄精密制造有限公司", [], [bad])))
    with pytest.raises(PoisonEvent):
        await cases.on_cases_changed(fake, received(case("P-1", bad, "opened")))
    assert fake.ledger.chain == [] and fake.graph.enterprises == {} and fake.register.entries == {}
    assert fake.events == [] and fake.grades.seen == {}


async def test_benefits_of_an_enterprise_the_ledger_never_saw_are_unknown_not_clear(uow: FakeUnitOfWork) -> None:
    with pytest.raises(UnknownEnterprise):
        await queries.benefits_of(uow, OTHER)
    answer = await queries.benefits_of(uow, OWNER)  # known from the registry, holds nothing
    assert answer["restricted"] is False and answer["uscc"] == OWNER


async def test_a_repair_applicant_is_a_valid_uscc_normalised_or_a_person_the_ledger_holds(uow: FakeUnitOfWork) -> None:
    target = await _negative_grade(uow)
    _, body = await repairs.apply(uow, _application(target.record_id, subject=f" {HOLDER.lower()} "))
    assert body["subject_ref"] == HOLDER
    for bad in (HOLDER[:17] + ("1" if HOLDER[17] != "1" else "2"), "91110302HOLDER0001", "PSN unknown"):
        with pytest.raises(RepairRefused) as refused:
            await repairs.apply(uow, _application(target.record_id, subject=bad))
        assert refused.value.field == "subject_ref"
    with pytest.raises(UnknownSubject):  # a well-formed person token the ledger does not hold: unknown (404)
        await repairs.apply(uow, _application(target.record_id, subject="psn-unknown"))
    assert [r.application.subject_ref for r in uow.repairs.stored.values()] == [HOLDER]  # the first only
    person_record = next(r for r in uow.ledger.records(PERSON) if r.polarity is Polarity.NEGATIVE)
    _, body = await repairs.apply(uow, _application(person_record.record_id, subject=PERSON))
    assert body["subject_ref"] == PERSON


async def test_a_token_bound_to_an_enterprise_reads_only_its_own_credit_file(uow: FakeUnitOfWork) -> None:
    await grading.on_parcels_graded(uow, received(graded("P-1", HOLDER, "A")))
    bound = Principal("holder-clerk", frozenset({"credit:read"}), uscc=HOLDER.lower())
    assert (await queries.credit_file(uow, HOLDER, bound))["subject"]["ref"] == HOLDER
    for other in (AFFILIATE, PERSON):
        with pytest.raises(NotYourEnterprise):
            await queries.credit_file(uow, other, bound)
    assert [r.subject_ref for r in uow.reads.log] == [HOLDER, AFFILIATE, PERSON]  # every attempt is logged
