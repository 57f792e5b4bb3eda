"""Parcels were graded: write their credit records (with penetration) and update the benefits register."""

from __future__ import annotations

from collections.abc import Iterable

from credit_ledger.domain import notices
from credit_ledger.domain.benefits import BenefitChange, EnterpriseBenefits, ReachedEnterprise, decide
from credit_ledger.domain.grades import Grade, GradeFact, GradeStatus
from credit_ledger.domain.notices import Notice, NoticePolicy
from credit_ledger.domain.penetration import SubjectKind, penetrate
from credit_ledger.domain.records import records_for_grade
from credit_ledger.service_layer.identifiers import event_uscc
from credit_ledger.service_layer.outgoing import benefit_changed, record_appended
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.evaluation import ParcelGraded
from servicekit.inbox import Received


def grade_fact(graded: ParcelGraded) -> GradeFact:
    """The grading as this service keeps it; a holder USCC that is not one makes the event poison."""
    return GradeFact(
        evaluation_id=graded.evaluation_id, parcel_id=graded.parcel_id,
        holder_uscc=event_uscc(graded.holder_uscc, "holder_uscc"),
        grade=Grade(graded.grade), status=GradeStatus(graded.status), year=graded.year,
        ruleset_version=graded.ruleset_id, reasons=tuple(f"{r.text_en} [{r.clause}]" for r in graded.reasons),
        graded_at=graded.evaluated_at,
    )


async def on_parcels_graded(uow: CreditLedgerUnitOfWork, events: list[Received[ParcelGraded]]) -> None:
    """Gradings in delivery order, with the effects each would have had alone: the register entries
    they can touch are read (and locked) once, every grading is decided in memory against the
    entries as the ones before it left them, and the results are written once. Credit records
    (final grades) are chained one grading after another. A grading seen before (same evaluation
    id) changes nothing."""
    async with uow:
        facts = [grade_fact(e.data) for e in events]
        fresh = await uow.grades.add_new(facts)
        graded = [(fact, e) for fact, e in zip(facts, events, strict=True) if _take(fresh, fact.evaluation_id)]
        if not graded:
            return
        # The chain head is always locked first, then register rows in USCC order: one lock order
        # for every writer, so concurrent consumers queue instead of deadlocking.
        await uow.ledger.hold_head()
        # Each grading walks the relations of its own graded year.
        around = {year: await uow.graph.around([f.holder_uscc for f, _ in graded if f.year == year], year,
                                               uow.relations_counted)
                  for year in sorted({fact.year for fact, _ in graded})}
        reached = [penetrate(fact.parcel_id, fact.holder_uscc, around[fact.year], uow.equity_rule)
                   for fact, _ in graded]
        ties = [[ReachedEnterprise(r.ref, r.relation, r.path.sentence()) for r in found
                 if r.kind is SubjectKind.ENTERPRISE] for found in reached]
        loaded = await uow.register.load({t.uscc for tied in ties for t in tied} | (
            await uow.register.tied_to_parcels([fact.parcel_id for fact, _ in graded])))
        state: dict[str, EnterpriseBenefits] = dict(loaded)
        standing_on = _standing_on(state.items())
        changed: set[str] = set()
        history: list[tuple[BenefitChange, GradeFact]] = []
        written: list[Notice] = []
        rows = []
        for (fact, received), found, tied in zip(graded, reached, ties, strict=True):
            records = records_for_grade(fact, found)
            chained = await uow.ledger.append(records)
            # Enterprises with a standing on this parcel, as the gradings before it left them. The
            # index only grows (a standing dropped later stays listed), so each is checked again.
            standing = {u for u in standing_on.get(fact.parcel_id, ()) if fact.parcel_id in state[u].standings}
            concerned = {t.uscc for t in tied} | standing
            decision = decide({u: state[u] for u in concerned if u in state}, fact, tied)
            state.update(decision.register)
            for uscc, entry in decision.register.items():
                for parcel_id in entry.standings:
                    standing_on.setdefault(parcel_id, set()).add(uscc)
            changed |= set(decision.register)
            history += [(change, fact) for change in decision.changes]
            written += _notices(fact, decision.changes, uow.notice_policy)
            with received.traced():
                outbox = uow.storage.outbox
                rows += [outbox.row(record_appended(r, c)) for r, c in zip(records, chained, strict=True)]
                rows += [outbox.row(e) for e in (benefit_changed(c, fact) for c in decision.changes) if e is not None]
        await uow.register.save([state[u] for u in sorted(changed)], before=loaded)
        await uow.register.record_histories(history)
        await uow.notices.add(written)
        await uow.emit_rows(rows)


def _notices(fact: GradeFact, changes: list[BenefitChange], policy: NoticePolicy) -> list[Notice]:
    """The holder told of its parcel's C or D; each enterprise of the benefits it lost."""
    graded = notices.for_grade(fact, policy)
    return ([graded] if graded else []) + notices.for_withdrawals(changes, fact, policy)


def _standing_on(entries: Iterable[tuple[str, EnterpriseBenefits]]) -> dict[str, set[str]]:
    """Parcel id -> the enterprises holding a standing on it (scanning the whole register for
    every grading of a run costs time growing with the square of the run's length)."""
    index: dict[str, set[str]] = {}
    for uscc, entry in entries:
        for parcel_id in entry.standings:
            index.setdefault(parcel_id, set()).add(uscc)
    return index


def _take(fresh: set[str], evaluation_id: str) -> bool:
    """True once per newly stored grading: a repeat later in the run was applied before."""
    if evaluation_id not in fresh:
        return False
    fresh.discard(evaluation_id)
    return True
