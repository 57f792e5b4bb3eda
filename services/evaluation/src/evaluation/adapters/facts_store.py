"""Writes the facts projection from the registry's and enforcement's events (idempotent upserts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import case, delete, func, literal_column, null, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import cases, findings, leases, parcel_revenue, parcels, shareholdings
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged
from servicekit.db import column_arrays, on_conflict_update, unnest_rows


async def upsert_parcel(session: AsyncSession, event: ParcelChanged) -> None:
    values = {
        "parcel_id": event.parcel_id, "name": event.name, "street": event.street, "category": event.category,
        "area_m2": event.area_m2, "holder_uscc": event.holder_uscc, "version": event.version,
        "commitments": [c.model_dump(mode="json") for c in event.commitments],
        "deadlines": [d.model_dump(mode="json") for d in event.deadlines],
        "flags": [f.model_dump(mode="json") for f in event.flags],
    }
    stmt = insert(parcels).values(values)
    # Full-state events: the newest version wins even if an older one is redelivered later.
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[parcels.c.parcel_id],
        set_={**{k: stmt.excluded[k] for k in values if k != "parcel_id"}, "updated_at": func.now()},
        where=stmt.excluded.version >= parcels.c.version,
    ))


async def upsert_lease(session: AsyncSession, event: LeaseChanged) -> None:
    values = {
        "parcel_id": event.parcel_id, "lease_id": event.lease_id, "tenant_uscc": event.tenant_uscc,
        "area_m2": event.area_m2, "end_date": event.end, "approved": event.approved,
        "equity_linked": event.equity_linked,
    }
    stmt = insert(leases).values(values)
    # A rectification stays recorded while the lease is the same unapproved one with the same tenant.
    keep_rectified = (stmt.excluded.approved == leases.c.approved) & (
        stmt.excluded.tenant_uscc == leases.c.tenant_uscc)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[leases.c.parcel_id, leases.c.lease_id],
        set_={**{k: stmt.excluded[k] for k in values if k not in ("parcel_id", "lease_id")},
              "rectified_at": case((keep_rectified, leases.c.rectified_at), else_=null())},
    ))


async def replace_shareholdings(session: AsyncSession, event: EnterpriseChanged) -> None:
    await session.execute(delete(shareholdings).where(shareholdings.c.uscc == event.uscc))
    nodes = {f"E:{s.uscc}" if s.kind == "enterprise" and s.uscc else f"P:{s.person_ref}"
             for s in event.shareholders if s.uscc or s.person_ref}
    if nodes:
        await session.execute(insert(shareholdings).on_conflict_do_nothing(),
                              [{"uscc": event.uscc, "holder_node": node} for node in sorted(nodes)])


def _revenue_add() -> Any:
    stmt = insert(parcel_revenue)
    return stmt.on_conflict_do_update(
        index_elements=[parcel_revenue.c.parcel_id, parcel_revenue.c.year],
        set_={
            "output_value": stmt.excluded.output_value, "tax_paid": stmt.excluded.tax_paid,
            "filings": stmt.excluded.filings, "updated_at": func.now(),
            "contributors": literal_column("ARRAY(SELECT DISTINCT c FROM unnest(parcel_revenue.contributors "
                                           "|| excluded.contributors) AS c ORDER BY c)"),
        },
    )


# Built once: constructing this upsert cost more CPU than running it, once per filing event. An
# event sent before events named the parcel-year's contributors can only add its counted filer;
# one that names them replaces them (a correction can take one away): `_REVENUES_REPLACE`.
_REVENUE_ADD = _revenue_add()


async def store_revenue(session: AsyncSession, event: FilingAccepted) -> None:
    """Keeps the latest parcel-year totals and who contributes to them."""
    await store_revenues(session, [event])


async def store_revenues(session: AsyncSession, events: list[FilingAccepted]) -> None:
    """Many filings' totals in order: the last per parcel-year stays."""
    for names_contributors, run in groupby(events, key=lambda e: e.parcel_year_contributors is not None):
        if names_contributors:
            # Each replaces the parcel-year's row whole, so only the last of each counts: one
            # statement for the lot instead of one execution per filing event.
            last = {(e.parcel_id, e.year): _replacing_row(e) for e in run}
            await session.execute(_REVENUES_REPLACE, column_arrays(last.values(), _REPLACING_COLUMNS))
        else:
            await session.execute(_REVENUE_ADD, [_revenue_row(e) for e in run])


_REPLACING_COLUMNS = (("parcel_id", "text"), ("year", "integer"), ("output_value", "text"), ("tax_paid", "text"),
                      ("filings", "integer"), ("contributors", "text"))
# Amounts go as decimal strings (exact, and cheaper to encode than Decimals); contributors as one
# comma-joined string each (a USCC has no comma), since arrays of arrays cannot be unnested.
_REVENUES_REPLACE = text(
    "INSERT INTO parcel_revenue (parcel_id, year, output_value, tax_paid, filings, contributors) "
    "SELECT r.parcel_id, r.year, CAST(r.output_value AS numeric), CAST(r.tax_paid AS numeric), r.filings, "
    f"string_to_array(r.contributors, ',') FROM {unnest_rows(_REPLACING_COLUMNS)} "
    "AS r(" + ", ".join(name for name, _ in _REPLACING_COLUMNS) + ") "
    + on_conflict_update(("parcel_id", "year"), _REPLACING_COLUMNS, also="updated_at = now()"))


def _replacing_row(event: FilingAccepted) -> dict[str, Any]:
    return {
        "parcel_id": event.parcel_id, "year": event.year, "output_value": str(event.parcel_year_output),
        "tax_paid": str(event.parcel_year_tax), "filings": event.parcel_year_filings,
        "contributors": ",".join(contributors_after(event, ())),
    }


def _revenue_row(event: FilingAccepted) -> dict[str, Any]:
    return {
        "parcel_id": event.parcel_id, "year": event.year, "output_value": event.parcel_year_output,
        "tax_paid": event.parcel_year_tax, "filings": event.parcel_year_filings,
        "contributors": contributors_after(event, ()),
    }


def contributors_after(event: FilingAccepted, before: Iterable[str]) -> list[str]:
    """The parcel-year's contributors once `event` is stored over `before`."""
    if event.parcel_year_contributors is not None:
        return sorted(set(event.parcel_year_contributors))
    return sorted(set(before) | ({event.uscc} if event.counted else set()))


async def record_finding(session: AsyncSession, event: FindingRecorded) -> None:
    if event.type == "rectified":
        await rectify_parcel(session, event.parcel_id, event.inspected_at, f"finding:{event.finding_id}")
    await session.execute(insert(findings).values(
        finding_id=event.finding_id, inspection_id=event.inspection_id, parcel_id=event.parcel_id,
        type=event.type, tenant_uscc=event.tenant_uscc, holder_attitude=event.holder_attitude,
        inspected_at=event.inspected_at,
    ).on_conflict_do_nothing())


async def record_case(session: AsyncSession, event: CaseChanged) -> None:
    stmt = insert(cases).values(case_id=event.case_id, parcel_id=event.parcel_id, kind=event.kind,
                                state=event.state, at=event.at)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[cases.c.case_id], set_={"state": stmt.excluded.state, "at": stmt.excluded.at},
        where=stmt.excluded.at >= cases.c.at,
    ))
    if event.state == "rectified":
        await rectify_parcel(session, event.parcel_id, event.at, f"case:{event.case_id}")


async def rectify_parcel(session: AsyncSession, parcel_id: str, at: datetime, by: str) -> None:
    """Rectification (整改) closes what was found up to then; later findings stay open."""
    await session.execute(update(findings).where(
        findings.c.parcel_id == parcel_id, findings.c.rectified_at.is_(None), findings.c.inspected_at <= at,
    ).values(rectified_at=at, rectified_by=by))
    await session.execute(update(leases).where(
        leases.c.parcel_id == parcel_id, leases.c.approved.is_(False), leases.c.rectified_at.is_(None),
    ).values(rectified_at=at))


async def parcel_exists(session: AsyncSession, parcel_id: str) -> bool:
    found = await session.scalar(select(parcels.c.parcel_id).where(parcels.c.parcel_id == parcel_id))
    return found is not None
