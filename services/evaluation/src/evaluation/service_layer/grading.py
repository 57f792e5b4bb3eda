"""Grading a parcel: the one decision every path takes — a fact changed (event-driven re-grade,
provisional, one transaction with the consumed event), or a yearly run grades every parcel.

`decide` is that decision: the parcel's facts for the year, graded under a ruleset, compared with
its current grade. The paths differ only in how they load facts (a parcel's from the database, a
run of filings laid over them in memory, a whole year at once) and in what they record (a
triggering event or a run).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from evaluation.domain.evaluation import Evaluation
from evaluation.domain.facts import ParcelFacts
from evaluation.domain.grading import grade
from evaluation.domain.projection import Linked, ParcelSources, assemble_facts, tenant_pairs
from evaluation.domain.records import Current, Recorded
from evaluation.domain.ruleset import Ruleset, select_ruleset
from evaluation.service_layer.outgoing import write_live_grades
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from landgrade_events.registry import FilingAccepted
from servicekit.ids import new_id
from servicekit.inbox import Received
from servicekit.logging import get_logger

log = get_logger("regrade")


class NoRuleset(Exception):
    """No ruleset is in force for the year (an admin must add one); `covered` lists the years one is."""

    def __init__(self, year: int, covered: list[int]) -> None:
        super().__init__(f"no ruleset is in force for {year}")
        self.year, self.covered = year, covered


@dataclass(frozen=True)
class Outcome:
    """A parcel graded, beside the grade it had."""

    facts: ParcelFacts
    evaluation: Evaluation
    previous: Current | None

    @property
    def changed(self) -> bool:
        """The grade or its reasons changed, or (in a year not final) the holder who answers for it:
        a new evaluation and a grade event are due, so credit records and benefits follow the
        holder. A final year's holder changes only by re-evaluation (重新评价)."""
        p = self.previous
        return p is None or p.fingerprint != self.evaluation.fingerprint or (
            p.status != "final" and p.holder_uscc != self.facts.holder_uscc)

    @property
    def moved(self) -> bool:
        """Street or holder changed under an unchanged grade (lists and summaries must follow)."""
        p = self.previous
        return p is not None and (p.street, p.holder_uscc) != (self.facts.street, self.facts.holder_uscc)

    def recorded(self, evaluated_at: datetime, status: str = "provisional", *, run_id: str | None = None,
                 trigger_event_id: str | None = None) -> Recorded:
        return Recorded.new(new_id(), self.evaluation, self.facts, self.previous, status, evaluated_at,
                            run_id=run_id, trigger_event_id=trigger_event_id)


def decide(sources: ParcelSources, year: int, ruleset: Ruleset, linked: Linked, previous: Current | None,
           today: date) -> Outcome:
    facts = assemble_facts(sources, year, linked, today, ruleset.year_holder)
    return Outcome(facts, grade(facts, ruleset), previous)


def linked_in(pairs: set[tuple[str, str]]) -> Linked:
    def linked(holder: str, tenant: str) -> bool:
        return (holder, tenant) in pairs

    return linked


@dataclass
class YearPicture:
    """One year's facts and current grades of some parcels, as this transaction sees them; re-grades
    keep `currents` up to date, so later events of a batch compare against them."""

    year: int
    sources: dict[str, ParcelSources]
    currents: dict[str, Current]
    _in_force: list[Ruleset | None]
    _linked: dict[int, Linked]

    @classmethod
    async def load(cls, uow: EvaluationUnitOfWork, year: int, parcel_ids: list[str]) -> YearPicture:
        sources = await uow.facts.load_sources(year, sorted(set(parcel_ids)))
        currents = await uow.grades.current_many(year, list(sources)) if sources else {}
        return cls(year, sources, currents, [], {})

    async def ruleset(self, uow: EvaluationUnitOfWork, previous: Current | None) -> Ruleset | None:
        """The year keeps the ruleset it was graded under: a ruleset added later never rewrites it."""
        kept = await uow.rulesets.get(previous.ruleset_id) if previous else None
        if kept is not None:
            return kept
        if not self._in_force:
            self._in_force.append(select_ruleset(await uow.rulesets.all(), self.year))
        return self._in_force[0]

    async def linked(self, uow: EvaluationUnitOfWork, depth: int) -> Linked:
        """Equity links among the parcels' holders and tenants (filings never change them)."""
        if depth not in self._linked:
            pairs = tenant_pairs(self.sources.values(), self.year)
            self._linked[depth] = linked_in(await uow.facts.linked_pairs(pairs, depth))
        return self._linked[depth]


class Regrading:
    """A transaction's event-driven re-grades, provisional: each decided against the current grades
    as the ones before it left them, then written together (`write`): evaluations in order, then one
    grade event each, carrying its triggering event's trace."""

    def __init__(self, uow: EvaluationUnitOfWork) -> None:
        self.uow = uow
        self.today = uow.clock().date()
        self._recorded: list[tuple[Recorded, Current | None, Received[Any] | None]] = []
        self._moved: list[Outcome] = []

    async def regrade(self, picture: YearPicture, parcel_id: str, received: Received[Any]) -> None:
        sources = picture.sources.get(parcel_id)
        if sources is None:
            return  # facts about a parcel the registry has not announced yet: graded once it is
        previous = picture.currents.get(parcel_id)
        ruleset = await picture.ruleset(self.uow, previous)
        if ruleset is None:  # the fact is kept; the parcel is graded once an admin adds a ruleset
            log.warning("no_ruleset_for_year", parcel_id=parcel_id, year=picture.year)
            return
        linked = await picture.linked(self.uow, ruleset.equity_link_search_depth)
        # A registered parcel is graded at once like any other fact (B with `no_filing`, per the ruleset).
        outcome = decide(sources, picture.year, ruleset, linked, previous, self.today)
        if not outcome.changed:
            if outcome.moved:
                self._moved.append(outcome)
            return
        recorded = outcome.recorded(self.uow.clock(), trigger_event_id=received.event_id)
        self._recorded.append((recorded, previous, received))
        picture.currents[parcel_id] = recorded.as_current()

    async def write(self) -> None:
        if self._recorded:
            await write_live_grades(self.uow, self._recorded)
        for o in self._moved:
            await self.uow.grades.touch_parcel(o.facts.parcel_id, o.facts.year, o.facts.street, o.facts.holder_uscc)
        self._recorded, self._moved = [], []


async def regrade_parcels(uow: EvaluationUnitOfWork, parcel_ids: list[str], year: int | None,
                          received: Received[Any]) -> None:
    """Re-grades parcels after a fact about them was stored: for `year`, or every year the fact may
    touch (`years_to_regrade`). A dated fact leaves the years before it as they were."""
    if year:
        await uow.grading_lock.share([year])
    else:  # which years the fact touches is read under the lock: a yearly run may be changing them
        await uow.grading_lock.share_any_year()
    regrading = Regrading(uow)
    for parcel_id in parcel_ids:
        for parcel_year in [year] if year else await years_to_regrade(uow, parcel_id):
            await regrading.regrade(await YearPicture.load(uow, parcel_year, [parcel_id]), parcel_id, received)
    await regrading.write()


async def regrade_filings(uow: EvaluationUnitOfWork, filings: list[Received[FilingAccepted]]) -> None:
    """Re-grades after a run of accepted filings with the effects of applying them one by one, in a
    handful of statements: the parcels' facts are read once (before the run's totals are stored)
    and each filing's parcel-year totals are laid over them in memory, as storing them would.
    Only the filings' years are locked: a yearly run of another year does not hold them up."""
    await uow.grading_lock.share(f.data.year for f in filings)
    years = {year: await YearPicture.load(uow, year, [f.data.parcel_id for f in filings if f.data.year == year])
             for year in sorted({f.data.year for f in filings})}
    regrading = Regrading(uow)
    for received in filings:  # in delivery order: grade events keep per-parcel order
        filing = received.data
        picture = years[filing.year]
        parcel = picture.sources.get(filing.parcel_id)
        if parcel is not None:
            before = parcel.revenue.get(filing.year)
            revenue = uow.facts.revenue_after(filing, before)
            picture.sources[filing.parcel_id] = replace(parcel, revenue={**parcel.revenue, filing.year: revenue})
        await regrading.regrade(picture, filing.parcel_id, received)
    # Totals after the facts were read: the pictures above are the ones before this run.
    await uow.facts.store_revenues([f.data for f in filings])
    await regrading.write()


async def years_to_regrade(uow: EvaluationUnitOfWork, parcel_id: str) -> list[int]:
    """The current year (Beijing), every year whose grade is not final yet, and the parcel's latest
    graded year even when final: a violation found after finalisation downgrades it provisionally
    (benefits follow at once). Other final years change only by re-evaluation (重新评价). Also each
    year with filings but no grade that a ruleset covers: filings that arrived before the parcel
    itself (another topic) are graded once it is announced."""
    graded = await uow.grades.years_of(parcel_id)
    years = {uow.clock().year} | {y for y, status in graded.items() if status != "final"}
    if graded:
        years.add(max(graded))
    waiting = set(await uow.facts.revenue_years(parcel_id)) - set(graded)
    if waiting:
        rulesets = await uow.rulesets.all()
        years |= {y for y in waiting if select_ruleset(rulesets, y) is not None}
    return sorted(years)
