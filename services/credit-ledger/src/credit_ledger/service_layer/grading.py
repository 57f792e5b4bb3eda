"""A parcel was graded: write its credit records (with penetration) and update the benefits register."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import graph, ledger, register
from credit_ledger.adapters.tables import grades
from credit_ledger.domain.benefits import ReachedEnterprise, decide
from credit_ledger.domain.grades import GradeFact
from credit_ledger.domain.penetration import SubjectKind, penetrate
from credit_ledger.domain.records import records_for_grade
from credit_ledger.service_layer.outgoing import benefit_changed, record_appended
from servicekit.outbox import Outbox

# Built once: constructing the statement per grade cost more CPU than running it.
_FIRST_SEEN = pg_insert(grades).on_conflict_do_nothing().returning(grades.c.evaluation_id)


async def on_parcel_graded(session: AsyncSession, outbox: Outbox, fact: GradeFact) -> bool:
    """Applies one grading; False when this grading (same evaluation id) was applied before."""
    first = await session.execute(_FIRST_SEEN, {
        "evaluation_id": fact.evaluation_id, "parcel_id": fact.parcel_id, "holder_uscc": fact.holder_uscc,
        "year": fact.year, "grade": fact.grade.value, "status": fact.status.value, "evaluated_at": fact.graded_at,
    })
    if first.first() is None:
        return False
    # The chain head is always locked first, then register rows in USCC order: one lock order for
    # every writer, so concurrent consumers queue instead of deadlocking.
    await ledger.hold_head(session)
    reached = penetrate(fact.parcel_id, fact.holder_uscc, await graph.graph_around(session, fact.holder_uscc))

    records = records_for_grade(fact, reached)
    chained = await ledger.append_records(session, records)
    await outbox.add(session, *(record_appended(r, c) for r, c in zip(records, chained, strict=True)))

    ties = [ReachedEnterprise(r.ref, r.relation, r.path.sentence())
            for r in reached if r.kind is SubjectKind.ENTERPRISE]
    concerned = {t.uscc for t in ties} | await register.tied_to_parcel(session, fact.parcel_id)
    decision = decide(await register.load(session, concerned), fact, ties)
    await register.save(session, decision.register.values())
    await register.record_history(session, decision.changes, fact)
    events = [e for e in (benefit_changed(c, fact) for c in decision.changes) if e is not None]
    await outbox.add(session, *events)
    return True
