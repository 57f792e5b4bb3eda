"""A parcel was graded: write its credit records (with penetration) and update the benefits register."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import graph, ledger, register
from credit_ledger.domain.benefits import EnterpriseBenefits, ReachedEnterprise, decide
from credit_ledger.domain.grades import GradeFact
from credit_ledger.domain.penetration import SubjectKind, penetrate
from credit_ledger.domain.records import records_for_grade
from credit_ledger.service_layer.outgoing import benefit_changed, record_appended
from servicekit.db import column_arrays, unnest_insert
from servicekit.inbox import Delivery
from servicekit.outbox import Outbox

# One statement text whatever the number of gradings (see `servicekit.db.unnest_insert`): a
# multi-row VALUES list was compiled, and prepared by PostgreSQL, anew for every run length.
_GRADE_COLUMNS = (("evaluation_id", "text"), ("parcel_id", "text"), ("holder_uscc", "text"), ("year", "integer"),
                  ("grade", "text"), ("status", "text"), ("evaluated_at", "timestamptz"))
_FIRST_SEEN = unnest_insert("grades", _GRADE_COLUMNS, "ON CONFLICT DO NOTHING RETURNING evaluation_id")


async def on_parcel_graded(session: AsyncSession, outbox: Outbox, fact: GradeFact) -> bool:
    """Applies one grading; False when this grading (same evaluation id) was applied before."""
    if not await _first_seen(session, [fact]):
        return False
    # The chain head is always locked first, then register rows in USCC order: one lock order for
    # every writer, so concurrent consumers queue instead of deadlocking.
    await ledger.hold_head(session)
    reached = penetrate(fact.parcel_id, fact.holder_uscc, await graph.graph_around(session, [fact.holder_uscc]))

    records = records_for_grade(fact, reached)
    chained = await ledger.append_records(session, records)
    await outbox.add(session, *(record_appended(r, c) for r, c in zip(records, chained, strict=True)))

    ties = [ReachedEnterprise(r.ref, r.relation, r.path.sentence())
            for r in reached if r.kind is SubjectKind.ENTERPRISE]
    concerned = {t.uscc for t in ties} | await register.tied_to_parcels(session, [fact.parcel_id])
    loaded = await register.load(session, concerned)
    decision = decide(loaded, fact, ties)
    await register.save(session, decision.register.values(), before=loaded)
    await register.record_history(session, decision.changes, fact)
    events = [e for e in (benefit_changed(c, fact) for c in decision.changes) if e is not None]
    await outbox.add(session, *events)
    return True


async def on_parcels_graded(session: AsyncSession, outbox: Outbox, graded: list[tuple[GradeFact, Delivery]]) -> None:
    """A run of gradings at once, with exactly the effects of `on_parcel_graded` applied to each in
    turn: the register entries they can touch are read (and locked) once, every grading is decided
    in memory against the entries as the ones before it left them, and the results are written
    once. Credit records (final grades) are chained one grading after another, as before."""
    fresh = await _first_seen(session, [fact for fact, _ in graded])
    graded = [(fact, delivery) for fact, delivery in graded if _take(fresh, fact.evaluation_id)]
    if not graded:
        return
    await ledger.hold_head(session)  # the same lock order as one grading: chain head, then register
    around = await graph.graph_around(session, [fact.holder_uscc for fact, _ in graded])
    reached = [penetrate(fact.parcel_id, fact.holder_uscc, around) for fact, _ in graded]
    ties = [[ReachedEnterprise(r.ref, r.relation, r.path.sentence()) for r in found
             if r.kind is SubjectKind.ENTERPRISE] for found in reached]
    loaded = await register.load(session, {t.uscc for tied in ties for t in tied} | (
        await register.tied_to_parcels(session, [fact.parcel_id for fact, _ in graded])))
    state: dict[str, EnterpriseBenefits] = dict(loaded)
    standing_on = _standing_on(state.items())
    changed: set[str] = set()
    history, rows = [], []
    for (fact, delivery), found, tied in zip(graded, reached, ties, strict=True):
        records = records_for_grade(fact, found)
        chained = await ledger.append_records(session, records)
        # Enterprises with a standing on this parcel, as the gradings before it left them. The index
        # only grows (a standing dropped later stays listed), so each candidate is checked again.
        standing = {u for u in standing_on.get(fact.parcel_id, ()) if fact.parcel_id in state[u].standings}
        concerned = {t.uscc for t in tied} | standing
        decision = decide({u: state[u] for u in concerned if u in state}, fact, tied)
        state.update(decision.register)
        for uscc, entry in decision.register.items():
            for parcel_id in entry.standings:
                standing_on.setdefault(parcel_id, set()).add(uscc)
        changed |= set(decision.register)
        history += [(change, fact) for change in decision.changes]
        with delivery.traced():
            rows += [outbox.row(record_appended(r, c)) for r, c in zip(records, chained, strict=True)]
            rows += [outbox.row(e) for e in (benefit_changed(c, fact) for c in decision.changes) if e is not None]
    await register.save(session, [state[u] for u in sorted(changed)], before=loaded)
    await register.record_histories(session, history)
    await outbox.add_rows(session, rows)


def _standing_on(entries: Iterable[tuple[str, EnterpriseBenefits]]) -> dict[str, set[str]]:
    """Parcel id -> the enterprises holding a standing on it (scanning the whole register for
    every grading of a run cost time growing with the square of the run's length)."""
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


async def _first_seen(session: AsyncSession, facts: list[GradeFact]) -> set[str]:
    rows = {fact.evaluation_id: _grade_row(fact) for fact in reversed(facts)}  # first of duplicates wins
    inserted = await session.execute(_FIRST_SEEN, column_arrays(rows.values(), _GRADE_COLUMNS))
    return set(inserted.scalars())


def _grade_row(fact: GradeFact) -> dict[str, object]:
    return {
        "evaluation_id": fact.evaluation_id, "parcel_id": fact.parcel_id, "holder_uscc": fact.holder_uscc,
        "year": fact.year, "grade": fact.grade.value, "status": fact.status.value, "evaluated_at": fact.graded_at,
    }
