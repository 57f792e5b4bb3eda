"""Re-grading after a run of accepted filings, set-based.

The same evaluations, in the same order and with the same previous grades, as `regrade` applied
to each filing in turn, but with a handful of statements for the whole run instead of a dozen per
filing: the parcels' facts are read once (before the run's totals are stored) and each filing's
parcel-year totals are laid over them in memory, exactly as storing them would have done.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters import facts_loader, facts_store, grades_store, rulesets_store
from evaluation.adapters.grades_store import Current, Recorded
from evaluation.adapters.tables import MONEY
from evaluation.domain.grading import grade
from evaluation.domain.projection import Linked, ParcelSources, RevenueRecord, assemble_facts
from evaluation.domain.ruleset import Ruleset, select_ruleset
from evaluation.service_layer.context import EvaluationContext
from evaluation.service_layer.grade_events import grade_event
from evaluation.service_layer.regrade import share_grading_lock
from landgrade_events.registry import FilingAccepted
from servicekit.inbox import Delivery
from servicekit.logging import get_logger

log = get_logger("regrade")
_FEN = Decimal(1).scaleb(-(MONEY.scale or 0))


async def regrade_filings(session: AsyncSession, ctx: EvaluationContext,
                          filings: list[tuple[FilingAccepted, Delivery]]) -> None:
    await share_grading_lock(session)
    years = {year: await _YearPicture.load(session, year, [f.parcel_id for f, _ in filings if f.year == year])
             for year in sorted({filing.year for filing, _ in filings})}
    recorded: list[tuple[Recorded, Delivery]] = []
    touched: list[tuple[str, int, str, str]] = []
    today = ctx.clock().date()
    for filing, delivery in filings:  # in delivery order: grade events keep per-parcel order
        picture = years[filing.year]
        parcel = picture.sources.get(filing.parcel_id)
        if parcel is None:
            continue  # a filing about a parcel the registry has not announced yet: graded once it is
        picture.sources[filing.parcel_id] = parcel = _with_totals(parcel, filing)
        previous = picture.currents.get(filing.parcel_id)
        # The year keeps the ruleset it was graded under: a ruleset added later never rewrites it.
        ruleset = (await rulesets_store.get(session, previous.ruleset_id) if previous else None) or picture.in_force
        if ruleset is None:
            log.warning("no_ruleset_for_year", parcel_id=filing.parcel_id, year=filing.year)
            continue
        linked = await picture.linked(session, ruleset.equity_link_search_depth)
        facts = assemble_facts(parcel, filing.year, linked, today)
        evaluation = grade(facts, ruleset)
        if previous is not None and previous.fingerprint == evaluation.fingerprint:
            if (previous.street, previous.holder_uscc) != (facts.street, facts.holder_uscc):
                touched.append((filing.parcel_id, filing.year, facts.street, facts.holder_uscc))
            continue
        r = Recorded.new(evaluation, facts, previous, "provisional", ctx.clock(), trigger_event_id=delivery.event.id)
        recorded.append((r, delivery))
        picture.currents[filing.parcel_id] = Current(r.id, evaluation.grade.value, r.status, evaluation.fingerprint,
                                                     r.street, r.holder_uscc, evaluation.ruleset_id)
    # Totals after the facts were read: the pictures above are the ones before this run.
    await facts_store.store_revenues(session, [filing for filing, _ in filings])
    await grades_store.record_many(session, [r for r, _ in recorded])
    for parcel_id, year, street, holder_uscc in touched:
        await grades_store.touch_parcel(session, parcel_id, year, street, holder_uscc)
    rows = []
    for r, delivery in recorded:
        with delivery.traced():
            rows.append(ctx.outbox.row(grade_event(r)))
    await ctx.outbox.add_rows(session, rows)


@dataclass
class _YearPicture:
    """One year's facts and current grades of the run's parcels, as they stood before the run."""

    sources: dict[str, ParcelSources]
    currents: dict[str, Current]
    in_force: Ruleset | None
    _linked: dict[int, Linked]

    @classmethod
    async def load(cls, session: AsyncSession, year: int, parcel_ids: list[str]) -> _YearPicture:
        sources = await facts_loader.load_sources(session, year, sorted(set(parcel_ids)))
        currents = await grades_store.current_many(session, year, list(sources)) if sources else {}
        in_force = select_ruleset(await rulesets_store.all_rulesets(session), year)
        return cls(sources, currents, in_force, {})

    async def linked(self, session: AsyncSession, depth: int) -> Linked:
        """Equity links among the parcels' holders and tenants: filings never change them."""
        if depth not in self._linked:
            pairs = facts_loader.tenant_pairs(self.sources.values())
            self._linked[depth] = _linked_in(await facts_loader.linked_pairs(session, pairs, depth))
        return self._linked[depth]


def _as_stored(amount: Decimal) -> Decimal:
    """The amount as the money column gives it back (its scale), so metrics read the same."""
    return amount.quantize(_FEN)


def _linked_in(pairs: set[tuple[str, str]]) -> Linked:
    def linked(holder: str, tenant: str) -> bool:
        return (holder, tenant) in pairs

    return linked


def _with_totals(sources: ParcelSources, filing: FilingAccepted) -> ParcelSources:
    """The parcel's facts once this filing's totals are stored (see `facts_store.store_revenue`)."""
    before = sources.revenue.get(filing.year)
    contributors = facts_store.contributors_after(filing, before.contributors if before else ())
    revenue = RevenueRecord(_as_stored(filing.parcel_year_output), _as_stored(filing.parcel_year_tax),
                            tuple(contributors))
    return replace(sources, revenue={**sources.revenue, filing.year: revenue})
