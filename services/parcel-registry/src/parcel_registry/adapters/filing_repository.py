"""Revenue filings: every revision, their parcel attributions, suspected occupants.

Writes are set-based (one statement per table per chunk) so a batch of ten thousand filings is a
handful of round trips, not ten thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, func, insert, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from parcel_registry.adapters.parcel_year_totals import parcel_year_totals
from parcel_registry.adapters.tables import filing_attributions, revenue_filings, suspected_occupants
from parcel_registry.domain.attribution import Attribution, Method, OccupancyBasis, Share, ShareStatus
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.output import Contribution, Totals
from parcel_registry.domain.stored import rebuilt
from servicekit.db import any_of
from servicekit.driver import OnDriver

f_, a_ = revenue_filings.c, filing_attributions.c


def clashed(error: BaseException) -> bool:
    """A chunk that failed on a concurrent writer of the same rows (a unique key taken meanwhile,
    or a deadlock): run again, it sees that writer's rows."""
    if not isinstance(error, DBAPIError):
        return False
    return isinstance(error, IntegrityError) or getattr(error.orig, "sqlstate", None) == "40P01"


def filing_from_row(row: Any) -> RevenueFiling:
    return rebuilt(
        RevenueFiling, filing_id=row.filing_id, uscc=row.uscc, year=row.year,
        output_value=Decimal(row.output_value), tax_paid=Decimal(row.tax_paid), parcel_id=row.parcel_id,
        quarter=row.quarter, revision=row.revision,
    )


# Hot statements are built once, with array parameters (see `servicekit.db.any_of`).
_REVISIONS_OF = select(revenue_filings).where(any_of(f_.filing_id, "ids"))


# The statements every chunk runs go on the driver's connection (`servicekit.driver`): a chunk
# of a few single filings runs a dozen of them, and SQLAlchemy's per-statement path cost more
# than the database's work on them.
_LOCK_KEYS = OnDriver(text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
    "FROM (SELECT k FROM unnest(:keys) AS k ORDER BY k) AS ordered"
).bindparams(bindparam("keys", type_=ARRAY(Text))))


_CURRENT_SHARES_OF = OnDriver(select(a_.filing_id, a_.parcel_id, a_.year)
                              .where(any_of(a_.filing_id, "ids"), a_.is_current).distinct())


# One INSERT per table for a whole chunk, its rows sent as one JSON document (amounts as decimal
# strings, so nothing is rounded): a parameter set per row cost a statement execution each, and
# column arrays cost more to encode (asyncpg's Decimal encoder most of all) than the database took.
_INSERT_FILINGS = OnDriver(text(
    "INSERT INTO revenue_filings (filing_id, revision, uscc, parcel_id, year, quarter, output_value, tax_paid, "
    "attribution_method, is_current, received_by) "
    "SELECT f.*, true, :received_by FROM json_to_recordset(CAST(:rows AS json)) AS f(filing_id text, "
    "revision integer, uscc text, parcel_id text, year smallint, quarter smallint, output_value numeric, "
    "tax_paid numeric, method text)"
))
_INSERT_SHARES = OnDriver(text(
    "INSERT INTO filing_attributions (filing_id, revision, parcel_id, uscc, year, quarter, output_value, tax_paid, "
    "status, basis, is_current) "
    "SELECT s.*, true FROM json_to_recordset(CAST(:rows AS json)) AS s(filing_id text, revision integer, "
    "parcel_id text, uscc text, year smallint, quarter smallint, output_value numeric, tax_paid numeric, "
    "status text, basis text)"
))


# Through the filings' (uscc, year) index: attributions have none of their own, and a row-value
# IN list of a whole chunk's enterprise-years made PostgreSQL scan and compare every attribution
# on record. An attribution row copies its filing's uscc and year, and is current exactly when
# its filing revision is (``record`` switches both together).
_CURRENT_SHARES_FOR = OnDriver(text(
    "SELECT DISTINCT a.uscc, a.parcel_id, a.year "
    "FROM unnest(CAST(:usccs AS text[]), CAST(:years AS smallint[])) AS k(uscc, year) "
    "JOIN revenue_filings f ON f.uscc = k.uscc AND f.year = k.year AND f.is_current "
    "JOIN filing_attributions a ON a.filing_id = f.filing_id AND a.revision = f.revision AND a.is_current"
))


class FilingRepository:
    """Revenue filings of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def parcel_year_totals(self, parcel_years: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Totals]:
        """Each parcel-year's totals as summed by PostgreSQL (see ``parcel_year_totals``)."""
        return await parcel_year_totals(self.session, parcel_years)

    async def revisions_of(self, filing_ids: Iterable[str]) -> list[RevenueFiling]:
        ids = sorted(set(filing_ids))
        if not ids:
            return []
        return [filing_from_row(r) for r in await self.session.execute(_REVISIONS_OF, {"ids": ids})]

    async def lock_filer_years(self, enterprise_years: Iterable[tuple[str, int]]) -> None:
        """Taken first: one enterprise's chunks for a year run one after the other, so each one sees
        the parcels the previous one gave the enterprise shares on (and locks them in order)."""
        await self._lock({f"filer/{uscc}/{year}" for uscc, year in enterprise_years})

    async def lock_parcel_years(self, parcel_years: Iterable[tuple[str, int]]) -> None:
        """Transaction-scoped locks on parcel-years, taken in one global order (no deadlocks between
        chunks). Totals read under them include every earlier writer's filings, and the events that
        announce them enter the outbox in the order their transactions commit: without this, two
        chunks touching one parcel-year could announce its totals out of order, and a consumer that
        keeps the latest totals would keep stale ones."""
        await self._lock({f"parcel/{parcel_id}/{year}" for parcel_id, year in parcel_years})

    async def _lock(self, keys: set[str]) -> None:
        if keys:
            await _LOCK_KEYS.fetch(self.session, {"keys": sorted(keys)})

    async def current_shares_of(self, filing_ids: Iterable[str]) -> list[tuple[str, str, int]]:
        """(filing, parcel, year) of the current attributions of these filings, before a revision."""
        ids = sorted(set(filing_ids))
        if not ids:
            return []
        return [(f, p, y) for f, p, y in await _CURRENT_SHARES_OF.fetch(self.session, {"ids": ids})]

    async def record(self, accepted: Sequence[tuple[RevenueFiling, Attribution]], received_by: str
    ) -> None:
        """Writes the accepted filings and their attributions; older revisions stop counting."""
        filings = [
            {
                "filing_id": f.filing_id,
                "revision": f.revision,
                "uscc": f.uscc,
                "parcel_id": f.parcel_id,
                "year": f.year,
                "quarter": f.quarter,
                "output_value": str(f.output_value),
                "tax_paid": str(f.tax_paid),
                "method": a.method.value,
            }
            for f, a in accepted
        ]
        params = {"rows": orjson.dumps(filings).decode(), "received_by": received_by}
        await _INSERT_FILINGS.fetch(self.session, params)
        shares = [(f, s) for f, a in accepted for s in a.shares]
        if shares:
            rows = [
                {
                    "filing_id": f.filing_id,
                    "revision": f.revision,
                    "parcel_id": s.parcel_id,
                    "uscc": f.uscc,
                    "year": f.year,
                    "quarter": f.quarter,
                    "output_value": str(s.output_value),
                    "tax_paid": str(s.tax_paid),
                    "status": s.status.value,
                    "basis": s.basis.value if s.basis else None,
                }
                for f, s in shares
            ]
            await _INSERT_SHARES.fetch(self.session, {"rows": orjson.dumps(rows).decode()})
        suspects = [
            {"filing_id": f.filing_id, "revision": f.revision, "parcel_id": s.parcel_id, "uscc": f.uscc, "year": f.year}
            for f, s in shares
            if s.status is ShareStatus.SUSPECTED_OCCUPANT
        ]
        if suspects:
            await self.session.execute(insert(suspected_occupants), suspects)
        revised = sorted({f.filing_id for f, _ in accepted if f.revision > 0})
        if revised:
            newest = revenue_filings.alias("newest")
            for table, columns in ((revenue_filings, f_), (filing_attributions, a_)):
                latest = select(func.max(newest.c.revision)).where(newest.c.filing_id == columns.filing_id)
                await self.session.execute(
                    update(table)
                    .where(columns.filing_id.in_(revised), columns.is_current,
                           columns.revision < latest.scalar_subquery())
                    .values(is_current=False)
                )

    async def current_shares_for(self, enterprise_years: Iterable[tuple[str, int]]
    ) -> list[tuple[str, str, int]]:
        """(enterprise, parcel, year) of every current attribution of these enterprise-years."""
        pairs = sorted(set(enterprise_years))
        if not pairs:
            return []
        params = {"usccs": [u for u, _ in pairs], "years": [y for _, y in pairs]}
        return [(u, p, y) for u, p, y in await _CURRENT_SHARES_FOR.fetch(self.session, params)]

    async def parcel_year_shares(self, parcel_years: Iterable[tuple[str, int]]
    ) -> tuple[dict[tuple[str, int], list[Contribution]], set[tuple[str, int]]]:
        """Current shares on these parcel-years, and which of their enterprise-years filed annually."""
        pairs = sorted(set(parcel_years))
        if not pairs:
            return {}, set()
        rows = await self.session.execute(
            select(
                revenue_filings,
                a_.parcel_id.label("share_parcel"),
                a_.output_value.label("share_output"),
                a_.tax_paid.label("share_tax"),
                a_.status,
                a_.basis,
            )
            .join(filing_attributions, and_(a_.filing_id == f_.filing_id, a_.revision == f_.revision))
            .where(tuple_(a_.parcel_id, a_.year).in_(pairs), a_.is_current)
        )
        by_pair: dict[tuple[str, int], list[Contribution]] = {}
        filers: set[tuple[str, int]] = set()
        for r in rows:
            share = Share(
                r.share_parcel,
                Decimal(r.share_output),
                Decimal(r.share_tax),
                ShareStatus(r.status),
                OccupancyBasis(r.basis) if r.basis else None,
            )
            by_pair.setdefault((r.share_parcel, r.year), []).append(
                Contribution(filing_from_row(r), share, Method(r.attribution_method))
            )
            filers.add((r.uscc, r.year))
        if not filers:
            return by_pair, set()
        annual = await self.session.execute(
            select(f_.uscc, f_.year)
            .where(tuple_(f_.uscc, f_.year).in_(sorted(filers)), f_.is_current, f_.quarter.is_(None))
            .distinct()
        )
        return by_pair, {(u, y) for u, y in annual}

    async def audit_trail(self, filing_id: str) -> list[dict[str, Any]]:
        """Every revision of a filing, oldest first, with who sent it, when, and where it went."""
        filings = select(revenue_filings).where(f_.filing_id == filing_id).order_by(f_.revision)
        rows = (await self.session.execute(filings)).all()
        by_revision: dict[int, list[Share]] = {}
        shares = select(filing_attributions).where(a_.filing_id == filing_id).order_by(a_.parcel_id)
        for s in await self.session.execute(shares):
            basis = OccupancyBasis(s.basis) if s.basis else None
            share = Share(s.parcel_id, Decimal(s.output_value), Decimal(s.tax_paid), ShareStatus(s.status), basis)
            by_revision.setdefault(s.revision, []).append(share)
        return [
            {
                "filing": filing_from_row(r),
                "received_at": r.received_at,
                "received_by": r.received_by,
                "is_current": r.is_current,
                "attribution": Attribution(
                    r.filing_id, r.revision, Method(r.attribution_method), tuple(by_revision.get(r.revision, []))
                ),
            }
            for r in rows
        ]
