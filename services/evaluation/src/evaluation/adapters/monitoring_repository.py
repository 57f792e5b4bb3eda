"""Dynamic monitoring's storage: filings quarter by quarter, and the current warnings per parcel-year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import current_grades, filing_quarters, parcel_warnings, parcels
from landgrade_events.registry import FilingAccepted
from servicekit.db import any_of, column_arrays, on_conflict_update, unnest_insert
from servicekit.read_cache import changed

QuarterRow = tuple[int, int, Decimal, Decimal]  # year, quarter, output, tax


@dataclass(frozen=True)
class ParcelBasis:
    """What the outlook needs of a parcel besides its filings."""

    street: str
    category: str
    area_m2: Decimal


@dataclass(frozen=True)
class WarningFilter:
    year: int
    streets: list[str] | None = None  # None: every street
    measure: str | None = None
    after: tuple[str, str] | None = None  # (parcel_id, measure) of the last item of the page before
    limit: int = 50


_WARNING_COLUMNS = [c for c in parcel_warnings.c]

# A batch of filings in two statements whose text does not depend on how many there are: each is
# compiled and prepared once, where a multi-row VALUES list is compiled again for every batch
# size, at a cost that grows with its rows.
_FILING_QUARTER_TYPES = (
    ("filing_id", "text"), ("revision", "integer"), ("parcel_id", "text"), ("year", "integer"),
    ("quarter", "integer"), ("output_value", "numeric"), ("tax_paid", "numeric"), ("counted", "boolean"),
)
_UPSERT_FILING_QUARTERS = unnest_insert("filing_quarters", _FILING_QUARTER_TYPES, on_conflict_update(
    ("filing_id",), _FILING_QUARTER_TYPES, where="filing_quarters.revision <= excluded.revision"))
_COUNTED_FOR = select(filing_quarters.c.parcel_id, filing_quarters.c.year).where(
    any_of(filing_quarters.c.filing_id, "ids"))


class MonitoringRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def store_filings(self, events: list[FilingAccepted]) -> set[tuple[str, int]]:
        """Each filing's latest revision, whatever the order: an older revision never replaces a newer.
        Returns the (parcel, year) each stored filing counted for before: a correction that moves a
        filing to another year or parcel changes the one it leaves too."""
        latest: dict[str, FilingAccepted] = {}
        for e in events:
            if e.filing_id not in latest or latest[e.filing_id].revision <= e.revision:
                latest[e.filing_id] = e
        if not latest:
            return set()
        before = (await self.session.execute(_COUNTED_FOR, {"ids": sorted(latest)})).all()
        await self.session.execute(_UPSERT_FILING_QUARTERS, column_arrays(({
            "filing_id": e.filing_id, "revision": e.revision, "parcel_id": e.parcel_id, "year": e.year,
            "quarter": e.quarter, "output_value": e.attributed_output, "tax_paid": e.attributed_tax,
            "counted": e.counted} for e in latest.values()), _FILING_QUARTER_TYPES))
        return {(str(r[0]), int(r[1])) for r in before}

    async def parcel(self, parcel_id: str) -> ParcelBasis | None:
        row = (await self.session.execute(select(parcels.c.street, parcels.c.category, parcels.c.area_m2)
                                          .where(parcels.c.parcel_id == parcel_id))).first()
        return None if row is None else ParcelBasis(row[0], row[1], Decimal(row[2]))

    async def quarters_of(self, parcel_id: str, until_year: int) -> list[QuarterRow]:
        """The parcel's counted amounts per year and quarter, up to `until_year`."""
        fq = filing_quarters.c
        return await self._quarters(and_(fq.parcel_id == parcel_id, fq.year <= until_year))

    async def quarters_of_category(self, category: str, before_year: int) -> list[QuarterRow]:
        """Every parcel of the category, summed per year and quarter, for the years before `before_year`."""
        fq = filing_quarters.c
        of_category = select(parcels.c.parcel_id).where(parcels.c.category == category)
        return await self._quarters(and_(fq.parcel_id.in_(of_category), fq.year < before_year))

    async def _quarters(self, where: Any) -> list[QuarterRow]:
        fq = filing_quarters.c
        rows = (await self.session.execute(
            select(fq.year, fq.quarter, func.sum(fq.output_value), func.sum(fq.tax_paid))
            .where(where, fq.counted, fq.quarter.is_not(None))
            .group_by(fq.year, fq.quarter).order_by(fq.year, fq.quarter))).all()
        return [(int(r[0]), int(r[1]), Decimal(r[2]), Decimal(r[3])) for r in rows]

    async def replay(self, year: int, quarter: int) -> tuple[list[ReplayRow], dict[str, list[QuarterRow]]]:
        """A past year as it stood at the end of `quarter`, beside its grades (a backtest)."""
        return await replay_rows(self.session, year), await replay_quarters(self.session, year, quarter)

    async def grades_until(self, parcel_id: str, year: int) -> dict[int, str]:
        """The parcel's current grade per year, up to `year`."""
        rows = (await self.session.execute(select(current_grades.c.year, current_grades.c.grade).where(
            current_grades.c.parcel_id == parcel_id, current_grades.c.year <= year))).all()
        return {int(r[0]): str(r[1]) for r in rows}

    async def warnings_of(self, parcel_id: str, year: int) -> dict[str, dict[str, Any]]:
        rows = (await self.session.execute(select(*_WARNING_COLUMNS).where(
            parcel_warnings.c.parcel_id == parcel_id, parcel_warnings.c.year == year))).mappings().all()
        return {r["measure"]: dict(r) for r in rows}

    async def replace_warnings(self, parcel_id: str, year: int, rows: list[dict[str, Any]]) -> None:
        changed(self.session, parcel_id)  # the grade document carries the warnings: drop remembered answers
        await self.session.execute(delete(parcel_warnings).where(
            parcel_warnings.c.parcel_id == parcel_id, parcel_warnings.c.year == year))
        if rows:
            await self.session.execute(insert(parcel_warnings).values(rows))

    async def shown_with_grade(self, parcel_id: str, year: int) -> list[dict[str, Any]]:
        return [public_warning(r) for _, r in sorted((await self.warnings_of(parcel_id, year)).items())]

    async def page(self, f: WarningFilter) -> tuple[list[dict[str, Any]], int]:
        """A page of warnings in (parcel, measure) order, and how many match the filter in all."""
        w = parcel_warnings.c
        where = [w.year == f.year]
        if f.streets is not None:
            where.append(w.street.in_(f.streets))
        if f.measure is not None:
            where.append(w.measure == f.measure)
        total = int(await self.session.scalar(select(func.count()).select_from(parcel_warnings).where(*where)) or 0)
        query = select(*_WARNING_COLUMNS).where(*where)
        if f.after is not None:
            query = query.where(tuple_(w.parcel_id, w.measure) > tuple_(*f.after))
        rows = (await self.session.execute(
            query.order_by(w.parcel_id, w.measure).limit(f.limit))).mappings().all()
        return [dict(r) for r in rows], total



def public_warning(r: dict[str, Any]) -> dict[str, Any]:
    """A stored warning as the API shows it: a projection, said so, with amounts as strings."""
    return {
        "parcel_id": r["parcel_id"], "year": r["year"], "street": r["street"], "measure": r["measure"],
        "nature": "projection", "quarter": r["quarter"], "at_risk_of": r["at_risk_of"],
        "projected_low_per_ha": format(r["low_per_ha"], "f"), "projected_per_ha": format(r["point_per_ha"], "f"),
        "projected_high_per_ha": format(r["high_per_ha"], "f"),
        "threshold_per_ha": format(r["threshold_per_ha"], "f"),
        "pattern_source": r["pattern_source"], "pattern_years": list(r["pattern_years"]),
        "zh": r["zh"], "en": r["en"],
        "raised_at": r["raised_at"].isoformat(), "updated_at": r["updated_at"].isoformat(),
    }


@dataclass(frozen=True)
class ReplayRow:
    """A parcel of a replayed year: its grades of the year before and of the year, and its basis."""

    parcel_id: str
    category: str
    area_m2: Decimal
    grade_before: str
    grade: str
    status: str


async def replay_rows(session: AsyncSession, year: int) -> list[ReplayRow]:
    """The parcels graded both in `year - 1` and in `year`, in parcel order."""
    before, now = current_grades.alias("before"), current_grades.alias("now")
    rows = (await session.execute(
        select(now.c.parcel_id, parcels.c.category, parcels.c.area_m2, before.c.grade, now.c.grade, now.c.status)
        .select_from(now.join(before, and_(before.c.parcel_id == now.c.parcel_id, before.c.year == year - 1))
                     .join(parcels, parcels.c.parcel_id == now.c.parcel_id))
        .where(now.c.year == year).order_by(now.c.parcel_id))).all()
    return [ReplayRow(r[0], r[1], Decimal(r[2]), r[3], r[4], r[5]) for r in rows]


async def replay_quarters(session: AsyncSession, year: int, quarter: int) -> dict[str, list[QuarterRow]]:
    """Every parcel's counted amounts per year and quarter: earlier years whole, `year` up to `quarter`."""
    fq = filing_quarters.c
    rows = (await session.execute(
        select(fq.parcel_id, fq.year, fq.quarter, func.sum(fq.output_value), func.sum(fq.tax_paid))
        .where(fq.counted, fq.quarter.is_not(None), fq.year <= year,
               (fq.year < year) | (fq.quarter <= quarter))
        .group_by(fq.parcel_id, fq.year, fq.quarter).order_by(fq.parcel_id, fq.year, fq.quarter))).all()
    found: dict[str, list[QuarterRow]] = {}
    for r in rows:
        found.setdefault(r[0], []).append((int(r[1]), int(r[2]), Decimal(r[3]), Decimal(r[4])))
    return found
