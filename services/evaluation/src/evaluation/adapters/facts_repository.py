"""The facts projection kept from the registry's and enforcement's events: written by idempotent
upserts, read set-based (a handful of queries for one parcel or for all of them)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import case, delete, func, literal_column, null, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import MONEY, cases, findings, leases, parcel_revenue, parcels, shareholdings
from evaluation.domain.equity import adjacency, enterprise_node, equity_linked
from evaluation.domain.holders import HolderSpan
from evaluation.domain.projection import (
    CommitmentRecord,
    DeadlineRecord,
    FindingRecord,
    FlagRecord,
    LeaseRecord,
    ParcelRecord,
    ParcelSources,
    RevenueRecord,
    contributors_after,
)
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged
from servicekit.db import column_arrays, on_conflict_update, unnest_rows
from servicekit.driver import driver


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


# Built once: constructing this upsert costs more CPU than running it, once per filing event. An
# event that does not name the parcel-year's contributors can only add its counted filer; one
# that names them replaces them (a correction can take one away): `_REVENUES_REPLACE`.
_REVENUE_ADD = _revenue_add()

# Every column `upsert_parcel` writes but the key: a newer version replaces each of them (a column
# missing here would keep its first value for good).
_PARCEL_FACTS = ("name", "street", "category", "area_m2", "holder_uscc", "version", "commitments", "deadlines",
                 "flags", "predecessors", "began_on", "ended_on", "holders")


def _parcel_upsert() -> Any:
    """Full-state events: the newest version wins even if an older one is redelivered later."""
    stmt = insert(parcels)
    return stmt.on_conflict_do_update(
        index_elements=[parcels.c.parcel_id],
        set_={**{k: stmt.excluded[k] for k in _PARCEL_FACTS}, "updated_at": func.now()},
        where=stmt.excluded.version >= parcels.c.version,
    )


# Built once, as `_REVENUE_ADD` is: its VALUES come from the parameters of each execution.
_PARCEL_UPSERT = _parcel_upsert()

_REPLACING_COLUMNS = (("parcel_id", "text"), ("year", "integer"), ("output_value", "text"), ("tax_paid", "text"),
                      ("filings", "integer"), ("contributors", "text"))
# Amounts go as decimal strings (exact, and cheaper to encode than Decimals); contributors as one
# comma-joined string each (a USCC has no comma), since arrays of arrays cannot be unnested.
_REVENUES_REPLACE = text(
    "INSERT INTO parcel_revenue (parcel_id, year, output_value, tax_paid, filings, contributors) "  # nosec B608  # names from code
    "SELECT r.parcel_id, r.year, CAST(r.output_value AS numeric), CAST(r.tax_paid AS numeric), r.filings, "
    f"string_to_array(r.contributors, ',') FROM {unnest_rows(_REPLACING_COLUMNS)} "
    "AS r(" + ", ".join(name for name, _ in _REPLACING_COLUMNS) + ") "
    + on_conflict_update(("parcel_id", "year"), _REPLACING_COLUMNS, also="updated_at = now()"))


_FEN = Decimal(1).scaleb(-(MONEY.scale or 0))


def filing_contributors(event: FilingAccepted, before: tuple[str, ...] = ()) -> list[str]:
    """The parcel-year's contributors once `event` is stored over `before`."""
    return contributors_after(event.parcel_year_contributors, event.uscc, event.counted, before)


def _replacing_row(event: FilingAccepted) -> dict[str, Any]:
    return {
        "parcel_id": event.parcel_id, "year": event.year, "output_value": str(event.parcel_year_output),
        "tax_paid": str(event.parcel_year_tax), "filings": event.parcel_year_filings,
        "contributors": ",".join(filing_contributors(event)),
    }


def _revenue_row(event: FilingAccepted) -> dict[str, Any]:
    return {
        "parcel_id": event.parcel_id, "year": event.year, "output_value": event.parcel_year_output,
        "tax_paid": event.parcel_year_tax, "filings": event.parcel_year_filings,
        "contributors": filing_contributors(event),
    }


# A parcel made by a split or merge is graded from the year the act took effect; one that ended
# (分宗, 合宗, 收回) up to the year of its last day.
_IN_YEAR = ("WHERE (began_on IS NULL OR began_on <= make_date($1, 12, 31)) "
            "AND (ended_on IS NULL OR ended_on > make_date($1, 1, 1))")
_QUERIES = {
    "parcels": "SELECT parcel_id, street, category, area_m2, holder_uscc, "  # nosec B608  # condition from code
               "commitments::text AS commitments, deadlines::text AS deadlines, flags::text AS flags, "
               "holders::text AS holders FROM parcels " + _IN_YEAR,
    "parcel_count": "SELECT count(*) FROM parcels " + _IN_YEAR,  # nosec B608  # condition from code
    "leases": "SELECT parcel_id, lease_id, tenant_uscc, approved, equity_linked, end_date, "
              "rectified_at IS NOT NULL AS rectified, start_date FROM leases",
    "findings": "SELECT parcel_id, finding_id, type, inspected_at, tenant_uscc, holder_attitude, "
                "rectified_at IS NOT NULL AS rectified FROM findings WHERE type NOT IN ('no_issue', 'rectified')",
    "revenue": "SELECT parcel_id, output_value, tax_paid, contributors FROM parcel_revenue WHERE year = $1",
}


async def _fetch(raw: Any, name: str, year: int, clause: str = "", *values: Any) -> list[Any]:
    """Plain asyncpg: for a whole year's facts the ORM's row handling would cost more than the query.
    `clause` narrows the query, its placeholders written `{}` and filled from `values`."""
    sql = _QUERIES[name]
    args: list[Any] = [year] if name in ("revenue", "parcels", "parcel_count") else []
    if clause:
        numbers = (f"${len(args) + n}" for n in range(1, len(values) + 1))
        sql += (" AND " if " WHERE " in sql else " WHERE ") + clause.format(*numbers)
        args += values
    return list(await raw.fetch(sql, *args))


_IN_LIST = "parcel_id = ANY({}::text[])"
# A yearly run's chunk: the next parcels in id order, and the other facts of that id range.
_AFTER = "parcel_id > {} ORDER BY parcel_id LIMIT {}"
_BETWEEN = "parcel_id BETWEEN {} AND {}"


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
        holders=tuple(HolderSpan(h["uscc"], _day(h.get("valid_from")), _day(h.get("valid_to")))
                      for h in _json_list(r["holders"])),
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _began_on(event: ParcelChanged) -> date | None:
    """The day a parcel made by a split or merge began: its first holder's period starts with the
    act (None for a parcel with no predecessors, which has been there as long as the ledger knows)."""
    if not event.predecessors or not event.holders:
        return None
    return event.holders[0].valid_from


MAX_LINEAGE_DEPTH = 20  # acts of splitting and merging one piece of land goes through


class FactsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- writes, one per kind of incoming fact -------------------------------------------------

    async def upsert_parcel(self, event: ParcelChanged) -> None:
        values = {
            "parcel_id": event.parcel_id, "name": event.name, "street": event.street, "category": event.category,
            "area_m2": event.area_m2, "holder_uscc": event.holder_uscc, "version": event.version,
            "commitments": [c.model_dump(mode="json") for c in event.commitments],
            "deadlines": [d.model_dump(mode="json") for d in event.deadlines],
            "flags": [f.model_dump(mode="json") for f in event.flags],
            "predecessors": list(event.predecessors), "began_on": _began_on(event), "ended_on": event.ended_on,
            "holders": [{"uscc": h.uscc, "valid_from": h.valid_from and h.valid_from.isoformat(),
                         "valid_to": h.valid_to and h.valid_to.isoformat()} for h in event.holders or ()],
        }
        await self.session.execute(_PARCEL_UPSERT, values)

    async def upsert_lease(self, event: LeaseChanged) -> None:
        values = {
            "parcel_id": event.parcel_id, "lease_id": event.lease_id, "tenant_uscc": event.tenant_uscc,
            "area_m2": event.area_m2, "start_date": event.start, "end_date": event.end, "approved": event.approved,
            "equity_linked": event.equity_linked,
        }
        stmt = insert(leases).values(values)
        # A rectification stays recorded while the lease is the same unapproved one with the same tenant.
        keep_rectified = (stmt.excluded.approved == leases.c.approved) & (
            stmt.excluded.tenant_uscc == leases.c.tenant_uscc)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[leases.c.parcel_id, leases.c.lease_id],
            set_={**{k: stmt.excluded[k] for k in values if k not in ("parcel_id", "lease_id")},
                  "rectified_at": case((keep_rectified, leases.c.rectified_at), else_=null())},
        ))

    async def replace_shareholdings(self, event: EnterpriseChanged) -> None:
        await self.session.execute(delete(shareholdings).where(shareholdings.c.uscc == event.uscc))
        nodes = {f"E:{s.uscc}" if s.kind == "enterprise" and s.uscc else f"P:{s.person_ref}"
                 for s in event.shareholders if s.uscc or s.person_ref}
        if nodes:
            await self.session.execute(insert(shareholdings).on_conflict_do_nothing(),
                                       [{"uscc": event.uscc, "holder_node": node} for node in sorted(nodes)])

    async def store_revenues(self, events: list[FilingAccepted]) -> None:
        """Filings' parcel-year totals, in order: the last per parcel-year stays."""
        for names_contributors, run in groupby(events, key=lambda e: e.parcel_year_contributors is not None):
            if names_contributors:
                # Each replaces the parcel-year's row whole, so only the last of each counts: one
                # statement for the lot instead of one execution per filing event.
                last = {(e.parcel_id, e.year): _replacing_row(e) for e in run}
                await self.session.execute(_REVENUES_REPLACE, column_arrays(last.values(), _REPLACING_COLUMNS))
            else:
                await self.session.execute(_REVENUE_ADD, [_revenue_row(e) for e in run])

    async def record_finding(self, event: FindingRecorded) -> None:
        if event.type == "rectified":
            await self.rectify_parcel(event.parcel_id, event.inspected_at, f"finding:{event.finding_id}")
        await self.session.execute(insert(findings).values(
            finding_id=event.finding_id, inspection_id=event.inspection_id, parcel_id=event.parcel_id,
            type=event.type, tenant_uscc=event.tenant_uscc, holder_attitude=event.holder_attitude,
            inspected_at=event.inspected_at,
        ).on_conflict_do_nothing())

    async def record_case(self, event: CaseChanged) -> None:
        stmt = insert(cases).values(case_id=event.case_id, parcel_id=event.parcel_id, kind=event.kind,
                                    state=event.state, at=event.at)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[cases.c.case_id], set_={"state": stmt.excluded.state, "at": stmt.excluded.at},
            where=stmt.excluded.at >= cases.c.at,
        ))
        if event.state == "rectified":
            await self.rectify_parcel(event.parcel_id, event.at, f"case:{event.case_id}")

    async def rectify_parcel(self, parcel_id: str, at: datetime, by: str) -> None:
        """Rectification (整改) closes what was found up to then; later findings stay open."""
        await self.session.execute(update(findings).where(
            findings.c.parcel_id == parcel_id, findings.c.rectified_at.is_(None), findings.c.inspected_at <= at,
        ).values(rectified_at=at, rectified_by=by))
        await self.session.execute(update(leases).where(
            leases.c.parcel_id == parcel_id, leases.c.approved.is_(False), leases.c.rectified_at.is_(None),
        ).values(rectified_at=at))

    @staticmethod
    def revenue_after(event: FilingAccepted, before: RevenueRecord | None) -> RevenueRecord:
        """The parcel-year's revenue as storing this filing over `before` leaves it, amounts at the
        money column's scale (as reading them back gives them), so metrics read the same."""
        return RevenueRecord(event.parcel_year_output.quantize(_FEN), event.parcel_year_tax.quantize(_FEN),
                             tuple(filing_contributors(event, before.contributors if before else ())))

    # -- reads ---------------------------------------------------------------------------------

    async def parcels_touching(self, uscc: str) -> list[str]:
        """Parcels whose equity-link questions involve this enterprise: as holder or as tenant."""
        held = select(parcels.c.parcel_id).where(parcels.c.holder_uscc == uscc)
        leased = select(leases.c.parcel_id).where(leases.c.tenant_uscc == uscc, leases.c.approved.is_(False))
        found = select(findings.c.parcel_id).where(findings.c.tenant_uscc == uscc)
        rows = await self.session.scalars(held.union(leased, found))
        return sorted(set(rows.all()))

    async def holder_of(self, parcel_id: str) -> str | None:
        """The parcel's rights holder as the registry last said; None for a parcel never heard of."""
        holder: str | None = await self.session.scalar(
            select(parcels.c.holder_uscc).where(parcels.c.parcel_id == parcel_id))
        return holder

    async def ancestors(self, parcel_id: str, depth: int = MAX_LINEAGE_DEPTH) -> list[str]:
        """The parcels `parcel_id` came from by splits and merges, nearest first, up to `depth` acts
        back (each parcel once, so a cycle in bad data cannot loop)."""
        found: list[str] = []
        frontier, seen = [parcel_id], {parcel_id}
        for _ in range(depth):
            rows = await self.session.execute(
                select(parcels.c.predecessors).where(parcels.c.parcel_id.in_(frontier)))
            frontier = list(dict.fromkeys(p for (listed,) in rows for p in listed or () if p not in seen))
            if not frontier:
                break
            seen.update(frontier)
            found += frontier
        return found

    async def revenue_years(self, parcel_id: str) -> list[int]:
        """The years the parcel has filings for."""
        rows = await self.session.scalars(select(parcel_revenue.c.year).where(parcel_revenue.c.parcel_id == parcel_id))
        return sorted(int(y) for y in rows.all())

    async def load_sources(self, year: int, parcel_ids: list[str] | None = None) -> dict[str, ParcelSources]:
        """Parcels with their leases, findings and the year's revenue; all parcels when ids is None."""
        raw = await self._driver()
        if parcel_ids is None:
            return await _sources(raw, year, await _fetch(raw, "parcels", year), "")
        return await _sources(raw, year, await _fetch(raw, "parcels", year, _IN_LIST, parcel_ids), _IN_LIST,
                              parcel_ids)

    async def sources_after(self, year: int, after: str, limit: int) -> dict[str, ParcelSources]:
        """The year's next `limit` parcels in id order after `after` ("" for the first), with their
        facts: what a yearly run holds at once, however many parcels the year has."""
        raw = await self._driver()
        rows = await _fetch(raw, "parcels", year, _AFTER, after, limit)
        if not rows:
            return {}
        return await _sources(raw, year, rows, _BETWEEN, rows[0]["parcel_id"], rows[-1]["parcel_id"])

    async def parcels_of_year(self, year: int) -> int:
        """How many parcels the year grades (those in the ledger on some day of it)."""
        (row,) = await _fetch(await self._driver(), "parcel_count", year)
        return int(row[0])

    async def _driver(self) -> Any:
        return await driver(self.session)

    async def equity_graph(self) -> dict[str, set[str]]:
        """Every shareholding, as the graph equity links are walked on (a yearly run loads it once)."""
        return adjacency((await self.session.execute(select(shareholdings.c.uscc, shareholdings.c.holder_node))).all())

    async def linked_pairs(self, pairs: set[tuple[str, str]], depth: int) -> set[tuple[str, str]]:
        """The pairs joined by shareholdings within `depth` links. Few pairs: walk the graph in the
        database; many (a yearly run): load the whole graph once."""
        if not pairs:
            return set()
        if len(pairs) > 50:
            graph = await self.equity_graph()
            return {p for p in pairs if equity_linked(p[0], p[1], graph, depth)}
        return {p for p in pairs if await self._walk(p, depth)}

    async def _walk(self, pair: tuple[str, str], depth: int) -> bool:
        graph: dict[str, set[str]] = {}
        frontier, seen = {enterprise_node(pair[0])}, set()
        for _ in range(depth):
            usccs = [n[2:] for n in frontier if n.startswith("E:")]
            rows = (await self.session.execute(select(shareholdings.c.uscc, shareholdings.c.holder_node).where(
                or_(shareholdings.c.uscc.in_(usccs), shareholdings.c.holder_node.in_(list(frontier)))))).all()
            for uscc, node in rows:
                graph.setdefault(enterprise_node(uscc), set()).add(node)
                graph.setdefault(node, set()).add(enterprise_node(uscc))
            seen |= frontier
            frontier = {n for node in frontier for n in graph.get(node, ())} - seen
            if not frontier:
                break
        return equity_linked(pair[0], pair[1], graph, depth)


async def _sources(raw: Any, year: int, parcel_rows: list[Any], clause: str, *values: Any) -> dict[str, ParcelSources]:
    """The parcels of `parcel_rows` with their leases, findings and the year's revenue, the three
    read with the same narrowing as the parcels were."""
    by_parcel_leases: dict[str, list[LeaseRecord]] = defaultdict(list)
    for r in await _fetch(raw, "leases", year, clause, *values):
        by_parcel_leases[r["parcel_id"]].append(LeaseRecord(
            r["lease_id"], r["tenant_uscc"], r["approved"], r["equity_linked"], r["end_date"], r["rectified"],
            r["start_date"]))
    by_parcel_findings: dict[str, list[FindingRecord]] = defaultdict(list)
    for r in await _fetch(raw, "findings", year, clause, *values):
        by_parcel_findings[r["parcel_id"]].append(FindingRecord(
            r["finding_id"], r["type"], r["inspected_at"], r["tenant_uscc"], r["holder_attitude"], r["rectified"]))
    revenue = {r["parcel_id"]: RevenueRecord(r["output_value"], r["tax_paid"], tuple(sorted(r["contributors"])))
               for r in await _fetch(raw, "revenue", year, clause, *values)}
    sources = {}
    for r in parcel_rows:
        parcel_id = r["parcel_id"]
        sources[parcel_id] = ParcelSources(
            _parcel(r), tuple(by_parcel_leases.get(parcel_id, ())), tuple(by_parcel_findings.get(parcel_id, ())),
            {year: revenue[parcel_id]} if parcel_id in revenue else {},
        )
    return sources
