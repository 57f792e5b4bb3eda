"""The benefits register in PostgreSQL: standings, held entitlements and their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import benefit_history, benefit_standings, enterprises, entitlements
from credit_ledger.domain.benefits import BenefitChange, EnterpriseBenefits, Held, HistoryEntry
from credit_ledger.domain.entitlements import Entitlement, Standing
from credit_ledger.domain.grades import Grade, GradeFact
from credit_ledger.domain.penetration import Relation
from servicekit.db import any_of, column_arrays, on_conflict_update, unnest_delete, unnest_insert

s, e = benefit_standings, entitlements

# Built once, with array parameters (see `servicekit.db.any_of`): these run for every batch of grades.
_TIED_TO_PARCELS = select(s.c.uscc).where(any_of(s.c.parcel_id, "parcels"))
_STANDINGS_OF = select(s).where(any_of(s.c.uscc, "usccs")).order_by(s.c.uscc, s.c.parcel_id).with_for_update()
_HELD_OF = select(e).where(any_of(e.c.uscc, "usccs")).order_by(e.c.uscc, e.c.entitlement).with_for_update()

_STANDING_KEY = (("uscc", "text"), ("parcel_id", "text"))
_HELD_KEY = (("uscc", "text"), ("entitlement", "text"))
_DROP_STANDINGS = unnest_delete("benefit_standings", _STANDING_KEY)
_DROP_HELD = unnest_delete("entitlements", _HELD_KEY)


def _upsert_held() -> Any:
    statement = pg_insert(e)
    return statement.on_conflict_do_update(
        index_elements=[e.c.uscc, e.c.entitlement],
        set_={k: statement.excluded[k] for k in ("since", "reason", "grounds")})


_UPSERT_HELD = _upsert_held()

# One statement for all of a run's changed standings, whatever their number (about two per grading).
_STANDING_COLUMNS = (("uscc", "text"), ("parcel_id", "text"), ("relation", "text"), ("path_sentence", "text"),
                     ("final_grade", "text"), ("final_at", "timestamptz"), ("final_year", "integer"),
                     ("pending_grade", "text"), ("pending_at", "timestamptz"))
_UPSERT_STANDINGS = unnest_insert("benefit_standings", _STANDING_COLUMNS,
                                  on_conflict_update(("uscc", "parcel_id"), _STANDING_COLUMNS))


def _standing_row(uscc: str, st: Standing) -> dict[str, Any]:
    return {
        "uscc": uscc, "parcel_id": st.parcel_id, "relation": st.relation.value,
        "path_sentence": st.path_sentence,
        "final_grade": st.final_grade.value if st.final_grade else None, "final_at": st.final_at,
        "final_year": st.final_year,
        "pending_grade": st.pending_grade.value if st.pending_grade else None, "pending_at": st.pending_at,
    }



class RegisterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tied_to_parcels(self, parcel_ids: Iterable[str]) -> set[str]:
        rows = await self.session.execute(_TIED_TO_PARCELS, {"parcels": sorted(set(parcel_ids))})
        return {r.uscc for r in rows}

    async def load(self, usccs: Iterable[str]) -> dict[str, EnterpriseBenefits]:
        """Register entries of `usccs`, locked for this transaction (one writer per enterprise)."""
        wanted = sorted(set(usccs))  # a fixed lock order: two writers never wait on each other in a cycle
        if not wanted:
            return {}
        standing_rows = (await self.session.execute(_STANDINGS_OF, {"usccs": wanted})).all()
        held_rows = (await self.session.execute(_HELD_OF, {"usccs": wanted})).all()
        standings: dict[str, dict[str, Standing]] = {}
        for r in standing_rows:
            standings.setdefault(r.uscc, {})[r.parcel_id] = _standing(r)
        held: dict[str, dict[Entitlement, Held]] = {}
        for r in held_rows:
            held.setdefault(r.uscc, {})[Entitlement(r.entitlement)] = _held(r)
        return {u: EnterpriseBenefits(u, standings.get(u, {}), held.get(u, {}))
                for u in wanted if u in standings or u in held}

    async def save(self, entries: Iterable[EnterpriseBenefits],
                   before: Mapping[str, EnterpriseBenefits]) -> None:
        """Stores these enterprises' entries, writing only what differs from `before` (as `load` read
        them): most entries a batch touches are unchanged, and rewriting them would cost more than
        the rest of the batch."""
        gone_standings: list[dict[str, Any]] = []
        standing_rows: list[dict[str, Any]] = []
        gone_held: list[dict[str, Any]] = []
        held_rows: list[dict[str, Any]] = []
        for x in entries:
            old = before.get(x.uscc) or EnterpriseBenefits(x.uscc)
            gone_standings += [{"uscc": x.uscc, "parcel_id": p} for p in old.standings if p not in x.standings]
            standing_rows += [_standing_row(x.uscc, st) for parcel, st in x.standings.items()
                              if old.standings.get(parcel) != st]
            gone_held += [{"uscc": x.uscc, "entitlement": kind.value} for kind in old.held if kind not in x.held]
            held_rows += [{"uscc": x.uscc, "entitlement": h.entitlement.value, "since": h.since, "reason": h.reason,
                           "grounds": list(h.grounds)} for kind, h in x.held.items() if old.held.get(kind) != h]
        if gone_standings:
            await self.session.execute(_DROP_STANDINGS, column_arrays(gone_standings, _STANDING_KEY))
        if gone_held:
            await self.session.execute(_DROP_HELD, column_arrays(gone_held, _HELD_KEY))
        if standing_rows:
            await self.session.execute(_UPSERT_STANDINGS, column_arrays(standing_rows, _STANDING_COLUMNS))
        if held_rows:
            await self.session.execute(_UPSERT_HELD, held_rows)

    async def record_histories(self, changes: list[tuple[BenefitChange, GradeFact]]) -> None:
        """Each change with the grade that caused it, in order."""
        if changes:
            await self.session.execute(insert(benefit_history), [
                {"uscc": c.uscc, "entitlement": c.entitlement.value, "action": c.action.value, "reason": c.reason,
                 "grounds": list(c.grounds), "parcel_id": fact.parcel_id, "grade": fact.grade.value,
                 "grade_status": fact.status.value, "at": c.at}
                for c, fact in changes
            ])

    async def held_by(self, uscc: str) -> list[Held]:
        """What the enterprise holds, for reading (no lock)."""
        rows = await self.session.execute(select(e).where(e.c.uscc == uscc).order_by(e.c.entitlement))
        return [_held(r) for r in rows]

    async def standings_of(self, uscc: str) -> list[Standing]:
        rows = await self.session.execute(select(s).where(s.c.uscc == uscc).order_by(s.c.parcel_id))
        return [_standing(r) for r in rows]

    async def history_of(self, uscc: str, limit: int) -> list[HistoryEntry]:
        """The enterprise's latest changes, newest first."""
        h = benefit_history
        rows = await self.session.execute(select(h).where(h.c.uscc == uscc).order_by(h.c.id.desc()).limit(limit))
        return [HistoryEntry(Entitlement(r.entitlement), r.action, r.reason, r.at, r.parcel_id, r.grade,
                             r.grade_status) for r in rows]

    async def holders(self, kind: Entitlement, after: str | None, limit: int) -> list[tuple[str, str | None, Held]]:
        """(USCC, enterprise name, entitlement) of up to `limit` holders of `kind` after `after`, in USCC order."""
        query = (
            select(e, enterprises.c.name)
            .join(enterprises, enterprises.c.uscc == e.c.uscc, isouter=True)
            .where(e.c.entitlement == kind.value)
            .order_by(e.c.uscc).limit(limit)
        )
        if after:
            query = query.where(e.c.uscc > after)
        return [(r.uscc, r.name, _held(r)) for r in await self.session.execute(query)]


def _held(r: Any) -> Held:
    kind = Entitlement(r.entitlement)
    return Held(kind, r.since, r.reason, tuple(r.grounds))


def _standing(r: Any) -> Standing:
    return Standing(
        r.parcel_id, Relation(r.relation), r.path_sentence,
        Grade(r.final_grade) if r.final_grade else None, r.final_at, r.final_year,
        Grade(r.pending_grade) if r.pending_grade else None, r.pending_at,
    )
