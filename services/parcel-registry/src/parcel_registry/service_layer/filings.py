"""Accepting revenue filings, a chunk per transaction, with set-based reads and writes.

Each chunk is decided line by line against the revisions on record (see ``domain/filings.py``),
attributed to parcels (``domain/attribution.py``), written, and announced with the new totals of
every parcel-year it touched, all in one transaction. A unique-key clash with a concurrent writer
of the same filing id re-runs the chunk, which then sees that writer's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from parcel_registry.adapters.filing_repository import clashed
from parcel_registry.domain.attribution import Attribution, Holding, attribute, occupancies
from parcel_registry.domain.filings import FilingHistory, Outcome, RevenueFiling
from parcel_registry.domain.leases import Lease
from parcel_registry.service_layer.outgoing import chunk_events
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork

ATTEMPTS = 3


@dataclass(frozen=True)
class LineResult:
    line: int
    filing: RevenueFiling
    outcome: Outcome | None  # None: rejected before deciding (e.g. an unknown parcel)
    reason: str = ""
    field: str | None = None
    attribution: Attribution | None = None


async def submit_chunk(
    uow: RegistryUnitOfWork, lines: Sequence[tuple[int, RevenueFiling]], received_by: str
) -> list[LineResult]:
    """Decides and writes one chunk of filings in one transaction. A chunk of a batch call comes
    with a unit of work on PostgreSQL's generic plans (`plan_cache_mode="auto"`): its set-based
    lookups of thousands of values run faster on them (index nested loops) than on plans made
    for each chunk's values, which hash whole tables while their statistics lag behind their
    growth. Single filings keep plans made for their values."""
    for attempt in range(ATTEMPTS):
        try:
            async with uow:
                return await _write_chunk(uow, lines, received_by)
        except Exception as error:
            if not clashed(error) or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _write_chunk(
    uow: RegistryUnitOfWork, lines: Sequence[tuple[int, RevenueFiling]], received_by: str
) -> list[LineResult]:
    history = FilingHistory(await uow.filings.revisions_of((f.filing_id for _, f in lines)))
    named = await uow.parcels.jurisdictions_of((f.parcel_id for _, f in lines if f.parcel_id))
    results: list[LineResult] = []
    accepted: list[tuple[int, RevenueFiling, Outcome]] = []  # (place in results, filing, outcome)
    for line, f in lines:
        if f.parcel_id is not None and f.parcel_id not in named:
            results.append(LineResult(line, f, None, f"parcel {f.parcel_id} is not in the ledger", "parcel_id"))
            continue
        decision = history.offer(f)
        if decision.writes:
            accepted.append((len(results), f, decision.outcome))
        results.append(LineResult(line, f, decision.outcome, decision.reason, "revision" if decision.reason else None))
    if not accepted:
        return results

    attributions = await _attribute(uow, [f for _, f, _ in accepted])
    revised = {f.filing_id for _, f, _ in accepted if f.revision > 0}
    filer_years = {(f.uscc, f.year) for f, _ in attributions}
    shared = {(s.parcel_id, f.year) for f, a in attributions for s in a.shares}
    await uow.filings.lock_filer_years(filer_years)
    before = await uow.filings.current_shares_of(revised)
    # Every parcel-year this chunk may announce is locked before any totals are read; the filers'
    # other parcels are announced too (an annual filing may supersede quarterly ones there).
    locked = {(p, y) for _, p, y in before} | shared
    locked |= {(p, y) for _, p, y in await uow.filings.current_shares_for(filer_years)}
    await uow.filings.lock_parcel_years(locked)
    await uow.filings.record(attributions, received_by)
    after = await uow.filings.current_shares_for(filer_years)
    touched = {(p, y) for _, p, y in before} | {(p, y) for _, p, y in after} | shared
    await uow.filings.lock_parcel_years(touched - locked)  # shares a concurrent writer added meanwhile
    totals = await uow.filings.parcel_year_totals(touched)
    await uow.emit(*chunk_events(attributions, totals, before, after, named))

    for (place, f, outcome), (_, attribution) in zip(accepted, attributions, strict=True):
        results[place] = LineResult(results[place].line, f, outcome, attribution=attribution)
    return results


async def _attribute(uow: RegistryUnitOfWork, filings: list[RevenueFiling]) -> list[tuple[RevenueFiling, Attribution]]:
    usccs = {f.uscc for f in filings}
    held: dict[str, list[Holding]] = defaultdict(list)
    for parcel in await uow.parcels.holdings_of(usccs):
        held[parcel.rights_holder].append(parcel)
    tenancies: dict[str, list[Lease]] = defaultdict(list)
    for lease in await uow.parcels.approved_leases_of(usccs):
        tenancies[lease.tenant].append(lease)
    return [(f, attribute(f, occupancies(f.uscc, f.year, held[f.uscc], tenancies[f.uscc]))) for f in filings]
