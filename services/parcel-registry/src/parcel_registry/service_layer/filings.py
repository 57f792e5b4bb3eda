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

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters import filing_store
from parcel_registry.adapters.parcel_store import approved_leases_of, holdings_of, jurisdictions_of
from parcel_registry.adapters.parcel_year_totals import parcel_year_totals
from parcel_registry.domain.attribution import Attribution, Holding, attribute, occupancies
from parcel_registry.domain.filings import FilingHistory, Outcome, RevenueFiling
from parcel_registry.domain.leases import Lease
from parcel_registry.service_layer.filing_events import chunk_events
from parcel_registry.service_layer.registry import Registry

ATTEMPTS = 3


@dataclass(frozen=True)
class LineResult:
    line: int
    filing: RevenueFiling
    outcome: Outcome | None  # None: rejected before deciding (e.g. an unknown parcel)
    reason: str = ""
    field: str | None = None
    attribution: Attribution | None = None


async def submit_chunk(reg: Registry, lines: Sequence[tuple[int, RevenueFiling]], received_by: str,
                       bulk: bool = False) -> list[LineResult]:
    """`bulk`: a chunk of a batch call (thousands of lines). Its set-based lookups run faster on
    PostgreSQL's generic plans (index nested loops) than on plans made for each chunk's thousands
    of values, which hashed whole tables while their statistics lagged behind their growth
    (100k filings: 30 s against 50 s). Single filings keep plans made for their values."""
    for attempt in range(ATTEMPTS):
        try:
            async with reg.db.transaction(plan_cache_mode="auto" if bulk else None) as session:
                return await _write_chunk(session, reg, lines, received_by)
        except DBAPIError as error:
            deadlock = getattr(error.orig, "sqlstate", None) == "40P01"
            if not (isinstance(error, IntegrityError) or deadlock) or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _write_chunk(
    session: AsyncSession, reg: Registry, lines: Sequence[tuple[int, RevenueFiling]], received_by: str
) -> list[LineResult]:
    history = FilingHistory(await filing_store.revisions_of(session, (f.filing_id for _, f in lines)))
    named = await jurisdictions_of(session, (f.parcel_id for _, f in lines if f.parcel_id))
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

    attributions = await _attribute(session, [f for _, f, _ in accepted])
    revised = {f.filing_id for _, f, _ in accepted if f.revision > 0}
    filer_years = {(f.uscc, f.year) for f, _ in attributions}
    shared = {(s.parcel_id, f.year) for f, a in attributions for s in a.shares}
    await filing_store.lock_filer_years(session, filer_years)
    before = await filing_store.current_shares_of(session, revised)
    # Every parcel-year this chunk may announce is locked before any totals are read; the filers'
    # other parcels are announced too (an annual filing may supersede quarterly ones there).
    locked = {(p, y) for _, p, y in before} | shared
    locked |= {(p, y) for _, p, y in await filing_store.current_shares_for(session, filer_years)}
    await filing_store.lock_parcel_years(session, locked)
    await filing_store.record(session, attributions, received_by)
    after = await filing_store.current_shares_for(session, filer_years)
    touched = {(p, y) for _, p, y in before} | {(p, y) for _, p, y in after} | shared
    await filing_store.lock_parcel_years(session, touched - locked)  # shares a concurrent writer added meanwhile
    totals = await parcel_year_totals(session, touched)
    await reg.outbox.add(session, *chunk_events(attributions, totals, before, after, named))

    for (place, f, outcome), (_, attribution) in zip(accepted, attributions, strict=True):
        results[place] = LineResult(results[place].line, f, outcome, attribution=attribution)
    return results


async def _attribute(session: AsyncSession, filings: list[RevenueFiling]) -> list[tuple[RevenueFiling, Attribution]]:
    usccs = {f.uscc for f in filings}
    held: dict[str, list[Holding]] = defaultdict(list)
    for parcel in await holdings_of(session, usccs):
        held[parcel.rights_holder].append(parcel)
    tenancies: dict[str, list[Lease]] = defaultdict(list)
    for lease in await approved_leases_of(session, usccs):
        tenancies[lease.tenant].append(lease)
    return [(f, attribute(f, occupancies(f.uscc, f.year, held[f.uscc], tenancies[f.uscc]))) for f in filings]
