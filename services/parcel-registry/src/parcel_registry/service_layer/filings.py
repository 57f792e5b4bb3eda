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
from parcel_registry.adapters.parcel_store import approved_leases_of, get_parcels, parcels_held_by
from parcel_registry.domain.attribution import Attribution, attribute, occupancies
from parcel_registry.domain.filings import FilingHistory, Outcome, RevenueFiling
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.parcels import Parcel
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


async def submit_chunk(reg: Registry, lines: Sequence[tuple[int, RevenueFiling]], received_by: str) -> list[LineResult]:
    for attempt in range(ATTEMPTS):
        try:
            async with reg.db.transaction() as session:
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
    named = await get_parcels(session, (f.parcel_id for _, f in lines if f.parcel_id))
    results: list[LineResult] = []
    accepted: list[tuple[int, RevenueFiling]] = []
    for line, f in lines:
        if f.parcel_id is not None and f.parcel_id not in named:
            results.append(LineResult(line, f, None, f"parcel {f.parcel_id} is not in the ledger", "parcel_id"))
            continue
        decision = history.offer(f)
        if decision.writes:
            accepted.append((line, f))
        results.append(LineResult(line, f, decision.outcome, decision.reason, "revision" if decision.reason else None))
    if not accepted:
        return results

    attributions = await _attribute(session, [f for _, f in accepted])
    revised = {f.filing_id for _, f in accepted if f.revision > 0}
    filer_years = {(f.uscc, f.year) for f, _ in attributions}
    await filing_store.lock_filer_years(session, filer_years)
    before = await filing_store.current_shares_of(session, revised)
    # Every parcel-year this chunk may announce is locked before any totals are read; the filers'
    # other parcels are announced too (an annual filing may supersede quarterly ones there).
    locked = {(p, y) for _, p, y in before} | {(s.parcel_id, f.year) for f, a in attributions for s in a.shares}
    locked |= {(p, y) for _, p, y in await filing_store.current_shares_for(session, filer_years)}
    await filing_store.lock_parcel_years(session, locked)
    await filing_store.record(session, attributions, received_by)
    after = await filing_store.current_shares_for(session, filer_years)
    touched = {(p, y) for _, p, y in before} | {(p, y) for _, p, y in after}
    touched |= {(s.parcel_id, f.year) for f, a in attributions for s in a.shares}
    await filing_store.lock_parcel_years(session, touched - locked)  # shares a concurrent writer added meanwhile
    by_pair, annual = await filing_store.parcel_year_shares(session, touched)
    streets = {parcel_id: p.parcel.jurisdiction for parcel_id, p in named.items()}
    events = chunk_events(attributions, by_pair, annual, before, after, streets)
    await reg.outbox.add(session, *events)

    by_key = {(f.filing_id, f.revision): a for f, a in attributions}
    return [
        LineResult(r.line, r.filing, r.outcome, r.reason, r.field, by_key.get((r.filing.filing_id, r.filing.revision)))
        if r.outcome in (Outcome.ACCEPTED, Outcome.REVISED)
        else r
        for r in results
    ]


async def _attribute(session: AsyncSession, filings: list[RevenueFiling]) -> list[tuple[RevenueFiling, Attribution]]:
    usccs = {f.uscc for f in filings}
    held: dict[str, list[Parcel]] = defaultdict(list)
    for parcel in await parcels_held_by(session, usccs):
        held[parcel.rights_holder].append(parcel)
    tenancies: dict[str, list[Lease]] = defaultdict(list)
    for lease in await approved_leases_of(session, usccs):
        tenancies[lease.tenant].append(lease)
    return [(f, attribute(f, occupancies(f.uscc, f.year, held[f.uscc], tenancies[f.uscc]))) for f in filings]
