"""Reads the facts projection set-based: a handful of queries for one parcel or for all of them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import shareholdings
from evaluation.domain.equity import adjacency, enterprise_node, equity_linked
from evaluation.domain.projection import (
    CommitmentRecord,
    DeadlineRecord,
    FindingRecord,
    FlagRecord,
    LeaseRecord,
    ParcelRecord,
    ParcelSources,
    RevenueRecord,
)

_QUERIES = {
    "parcels": "SELECT parcel_id, street, category, area_m2, holder_uscc, commitments::text AS commitments, "
               "deadlines::text AS deadlines, flags::text AS flags FROM parcels",
    "leases": "SELECT parcel_id, lease_id, tenant_uscc, approved, equity_linked, end_date, "
              "rectified_at IS NOT NULL AS rectified FROM leases",
    "findings": "SELECT parcel_id, finding_id, type, inspected_at, tenant_uscc, holder_attitude, "
                "rectified_at IS NOT NULL AS rectified FROM findings WHERE type NOT IN ('no_issue', 'rectified')",
    "revenue": "SELECT parcel_id, output_value, tax_paid, contributors FROM parcel_revenue WHERE year = $1",
}


async def _fetch(raw: Any, name: str, year: int, parcel_ids: list[str] | None) -> list[Any]:
    """Plain asyncpg: for a whole year's facts the ORM's row handling would cost more than the query."""
    sql = _QUERIES[name]
    args: list[Any] = [year] if name == "revenue" else []
    if parcel_ids is not None:
        sql += (" AND" if " WHERE " in sql else " WHERE") + f" parcel_id = ANY(${len(args) + 1}::text[])"
        args.append(parcel_ids)
    return list(await raw.fetch(sql, *args))


async def load_sources(session: AsyncSession, year: int, parcel_ids: list[str] | None = None,
                       ) -> dict[str, ParcelSources]:
    """Parcels with their leases, findings and the year's revenue; all parcels when ids is None."""
    raw: Any = (await (await session.connection()).get_raw_connection()).driver_connection
    by_parcel_leases: dict[str, list[LeaseRecord]] = defaultdict(list)
    for r in await _fetch(raw, "leases", year, parcel_ids):
        by_parcel_leases[r["parcel_id"]].append(LeaseRecord(
            r["lease_id"], r["tenant_uscc"], r["approved"], r["equity_linked"], r["end_date"], r["rectified"]))
    by_parcel_findings: dict[str, list[FindingRecord]] = defaultdict(list)
    for r in await _fetch(raw, "findings", year, parcel_ids):
        by_parcel_findings[r["parcel_id"]].append(FindingRecord(
            r["finding_id"], r["type"], r["inspected_at"], r["tenant_uscc"], r["holder_attitude"], r["rectified"]))
    revenue = {r["parcel_id"]: RevenueRecord(r["output_value"], r["tax_paid"], tuple(sorted(r["contributors"])))
               for r in await _fetch(raw, "revenue", year, parcel_ids)}
    sources = {}
    for r in await _fetch(raw, "parcels", year, parcel_ids):
        parcel_id = r["parcel_id"]
        sources[parcel_id] = ParcelSources(
            _parcel(r), tuple(by_parcel_leases.get(parcel_id, ())), tuple(by_parcel_findings.get(parcel_id, ())),
            {year: revenue[parcel_id]} if parcel_id in revenue else {},
        )
    return sources


def _json_list(text: str) -> list[dict[str, Any]]:
    return [] if text == "[]" else list(json.loads(text))


def _parcel(r: Any) -> ParcelRecord:
    return ParcelRecord(
        parcel_id=r["parcel_id"], street=r["street"], category=r["category"], area_m2=r["area_m2"],
        holder_uscc=r["holder_uscc"],
        commitments=tuple(CommitmentRecord(c.get("year"), Decimal(str(c["output_value"])),
                                           Decimal(str(c["tax_paid"])), c.get("from_year"))
                          for c in _json_list(r["commitments"])),
        deadlines=tuple(DeadlineRecord(d["kind"], date.fromisoformat(d["due"]),
                                       date.fromisoformat(d["met_on"]) if d.get("met_on") else None)
                        for d in _json_list(r["deadlines"])),
        flags=tuple(FlagRecord(f["kind"], date.fromisoformat(f["since"]),
                               date.fromisoformat(f["cleared_on"]) if f.get("cleared_on") else None)
                    for f in _json_list(r["flags"])),
    )


def tenant_pairs(sources: Iterable[ParcelSources]) -> set[tuple[str, str]]:
    """(holder, tenant) pairs whose equity link the facts may need."""
    pairs = set()
    for s in sources:
        tenants = {lease.tenant_uscc for lease in s.leases if not lease.approved}
        tenants |= {f.tenant_uscc for f in s.findings if f.type == "unauthorised_lease" and f.tenant_uscc}
        pairs |= {(s.parcel.holder_uscc, t) for t in tenants}
    return pairs


async def linked_pairs(session: AsyncSession, pairs: set[tuple[str, str]], depth: int) -> set[tuple[str, str]]:
    """The pairs joined by shareholdings within `depth` links. Few pairs: walk the graph in the
    database; many (a yearly run): load the whole graph once."""
    if not pairs:
        return set()
    if len(pairs) > 50:
        graph = adjacency((await session.execute(select(shareholdings.c.uscc, shareholdings.c.holder_node))).all())
        return {p for p in pairs if equity_linked(p[0], p[1], graph, depth)}
    return {p for p in pairs if await _walk(session, p, depth)}


async def _walk(session: AsyncSession, pair: tuple[str, str], depth: int) -> bool:
    graph: dict[str, set[str]] = {}
    frontier, seen = {enterprise_node(pair[0])}, set()
    for _ in range(depth):
        usccs = [n[2:] for n in frontier if n.startswith("E:")]
        rows = (await session.execute(select(shareholdings.c.uscc, shareholdings.c.holder_node).where(
            or_(shareholdings.c.uscc.in_(usccs), shareholdings.c.holder_node.in_(list(frontier)))))).all()
        for uscc, node in rows:
            graph.setdefault(enterprise_node(uscc), set()).add(node)
            graph.setdefault(node, set()).add(enterprise_node(uscc))
        seen |= frontier
        frontier = {n for node in frontier for n in graph.get(node, ())} - seen
        if not frontier:
            break
    return equity_linked(pair[0], pair[1], graph, depth)
