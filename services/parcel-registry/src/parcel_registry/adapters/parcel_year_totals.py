"""Each touched parcel-year's totals after a chunk of filings, summed by PostgreSQL.

The rule is ``domain/output.parcel_year``'s, which the parcel's output page still applies to the
stored contributions: a current share counts unless it is a suspected occupant's, or a quarterly
filing of an enterprise with an annual filing that year (the settled figure supersedes it). The
sums are all a chunk's events carry, so the database sums them instead of the chunk rebuilding
every stored filing of every parcel-year it touched. Attribution rows copy their filing's uscc,
year and quarter.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.domain.attribution import ShareStatus
from parcel_registry.domain.output import Totals
from servicekit.driver import OnDriver

_TOTALS = OnDriver(text(
    """
    WITH wanted AS (
        SELECT * FROM unnest(CAST(:parcels AS text[]), CAST(:years AS smallint[])) AS w(parcel_id, year)
    ), shares AS (
        SELECT a.parcel_id, a.year, a.uscc, a.quarter, a.output_value, a.tax_paid, a.status
        FROM wanted w
        JOIN filing_attributions a ON a.parcel_id = w.parcel_id AND a.year = w.year AND a.is_current
    ), annual AS (
        SELECT DISTINCT f.uscc, f.year FROM revenue_filings f
        WHERE f.is_current AND f.quarter IS NULL AND (f.uscc, f.year) IN (SELECT uscc, year FROM shares)
    )
    SELECT s.parcel_id, s.year, sum(s.output_value), sum(s.tax_paid), count(*),
           array_agg(DISTINCT s.uscc ORDER BY s.uscc)
    FROM shares s
    WHERE s.status = :counted
      AND (s.quarter IS NULL OR NOT EXISTS (SELECT 1 FROM annual n WHERE n.uscc = s.uscc AND n.year = s.year))
    GROUP BY s.parcel_id, s.year
    """
))


async def parcel_year_totals(
    session: AsyncSession, parcel_years: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], Totals]:
    """Totals of the parcel-years with a counted share; the others' are zero (``Totals()``)."""
    pairs = sorted(set(parcel_years))
    if not pairs:
        return {}
    params = {"parcels": [p for p, _ in pairs], "years": [y for _, y in pairs], "counted": ShareStatus.COUNTED.value}
    rows = await _TOTALS.fetch(session, params)
    return {(p, y): Totals(output, tax, filings, tuple(usccs)) for p, y, output, tax, filings, usccs in rows}
