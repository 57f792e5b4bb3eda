"""Event-driven re-grading: a fact changed, so grade the parcel again in the same transaction.

The grade is provisional. A grade event goes out only when the grade or its reasons changed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters import facts_loader, grades_store, rulesets_store
from evaluation.adapters.grades_store import Recorded
from evaluation.adapters.tables import parcel_revenue
from evaluation.domain.evaluation import Evaluation
from evaluation.domain.grading import grade
from evaluation.domain.projection import assemble_facts
from evaluation.domain.ruleset import select_ruleset
from evaluation.service_layer.context import GRADING_LOCK, EvaluationContext
from evaluation.service_layer.grade_events import grade_event
from servicekit.logging import get_logger

log = get_logger("regrade")
_GRADING_LOCK_HELD = "evaluation.grading_lock_held_in"


class NoRuleset(Exception):
    """No ruleset is in force for the year (an admin must add one)."""


async def regrade(session: AsyncSession, ctx: EvaluationContext, parcel_id: str, year: int | None,
                  trigger_event_id: str | None) -> Evaluation | None:
    """Grades the parcel for `year` (default: its latest evaluation year); None if nothing to grade."""
    await share_grading_lock(session)
    year = year or await _default_year(session, ctx, parcel_id)
    sources = (await facts_loader.load_sources(session, year, [parcel_id])).get(parcel_id)
    if sources is None:
        return None  # facts about a parcel the registry has not announced yet: graded once it is
    previous = await grades_store.current(session, parcel_id, year)
    # The year keeps the ruleset it was graded under: a ruleset added later never rewrites it.
    ruleset = await rulesets_store.get(session, previous.ruleset_id) if previous else None
    ruleset = ruleset or select_ruleset(await rulesets_store.all_rulesets(session), year)
    if ruleset is None:  # keep the fact; the parcel is graded once an admin adds a ruleset for the year
        log.warning("no_ruleset_for_year", parcel_id=parcel_id, year=year)
        return None
    pairs = facts_loader.tenant_pairs([sources])
    linked = await facts_loader.linked_pairs(session, pairs, ruleset.equity_link_search_depth)
    today = ctx.clock().date()
    facts = assemble_facts(sources, year, lambda a, b: (a, b) in linked, today)
    if previous is None and not (facts.has_filing or facts.violations or facts.breaches):
        return None  # a bare registration: nothing to say until a filing, a finding or the yearly run
    evaluation = grade(facts, ruleset)
    if previous is not None and previous.fingerprint == evaluation.fingerprint:
        await grades_store.touch_parcel(session, parcel_id, year, facts.street, facts.holder_uscc)
        return evaluation
    recorded = Recorded.new(evaluation, facts, previous, "provisional", ctx.clock(),
                            trigger_event_id=trigger_event_id)
    await grades_store.record(session, recorded)
    await ctx.outbox.add(session, grade_event(recorded))
    return evaluation


async def share_grading_lock(session: AsyncSession) -> None:
    """The shared grading lock, once per transaction: a consumer batch re-grades hundreds of
    parcels in one transaction. Inside a savepoint it is taken every time, since rolling the
    savepoint back releases a lock taken in it."""
    transaction = session.sync_session.get_transaction()
    if not session.in_nested_transaction() and session.info.get(_GRADING_LOCK_HELD) is transaction:
        return
    await session.execute(select(func.pg_advisory_xact_lock_shared(GRADING_LOCK)))
    if not session.in_nested_transaction():
        session.info[_GRADING_LOCK_HELD] = transaction


async def _default_year(session: AsyncSession, ctx: EvaluationContext, parcel_id: str) -> int:
    """The parcel's latest evaluation year, else its latest filing year, else last calendar year."""
    year = await grades_store.latest_year(session, parcel_id)
    if year is None:
        year = await session.scalar(select(func.max(parcel_revenue.c.year)).where(
            parcel_revenue.c.parcel_id == parcel_id))
    return int(year) if year is not None else ctx.clock().year - 1
