"""The benefits register in PostgreSQL: standings, held entitlements and their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import benefit_history, benefit_standings, entitlements
from credit_ledger.domain.benefits import BenefitChange, EnterpriseBenefits, Held
from credit_ledger.domain.entitlements import Entitlement, Standing
from credit_ledger.domain.grades import Grade, GradeFact
from credit_ledger.domain.penetration import Relation
from servicekit.db import any_of, column_arrays, on_conflict_update, unnest_delete, unnest_insert

s, e = benefit_standings, entitlements

# Built once, with array parameters (see `servicekit.db.any_of`): these run for every batch of grades.
_TIED_TO_PARCELS = select(s.c.uscc).where(any_of(s.c.parcel_id, "parcels"))
_STANDINGS_OF = select(s).where(any_of(s.c.uscc, "usccs")).order_by(s.c.uscc, s.c.parcel_id).with_for_update()
_HELD_OF = select(e).where(any_of(e.c.uscc, "usccs")).order_by(e.c.uscc, e.c.entitlement).with_for_update()


async def tied_to_parcels(session: AsyncSession, parcel_ids: Iterable[str]) -> set[str]:
    rows = await session.execute(_TIED_TO_PARCELS, {"parcels": sorted(set(parcel_ids))})
    return {r.uscc for r in rows}


async def load(session: AsyncSession, usccs: Iterable[str]) -> dict[str, EnterpriseBenefits]:
    """Register entries of `usccs`, locked for this transaction (one writer per enterprise)."""
    wanted = sorted(set(usccs))  # a fixed lock order: two writers never wait on each other in a cycle
    if not wanted:
        return {}
    standing_rows = (await session.execute(_STANDINGS_OF, {"usccs": wanted})).all()
    held_rows = (await session.execute(_HELD_OF, {"usccs": wanted})).all()
    standings: dict[str, dict[str, Standing]] = {}
    for r in standing_rows:
        standings.setdefault(r.uscc, {})[r.parcel_id] = Standing(
            r.parcel_id, Relation(r.relation), r.path_sentence,
            Grade(r.final_grade) if r.final_grade else None, r.final_at, r.final_year,
            Grade(r.pending_grade) if r.pending_grade else None, r.pending_at,
        )
    held: dict[str, dict[Entitlement, Held]] = {}
    for r in held_rows:
        kind = Entitlement(r.entitlement)
        held.setdefault(r.uscc, {})[kind] = Held(kind, r.since, r.reason, tuple(r.grounds))
    return {u: EnterpriseBenefits(u, standings.get(u, {}), held.get(u, {}))
            for u in wanted if u in standings or u in held}


async def save(session: AsyncSession, entries: Iterable[EnterpriseBenefits],
               before: Mapping[str, EnterpriseBenefits]) -> None:
    """Stores these enterprises' entries, writing only what differs from `before` (as `load` read
    them): rewriting every standing of every enterprise a batch touched cost more than the rest of
    the batch, most of them unchanged."""
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
        await session.execute(_DROP_STANDINGS, column_arrays(gone_standings, _STANDING_KEY))
    if gone_held:
        await session.execute(_DROP_HELD, column_arrays(gone_held, _HELD_KEY))
    if standing_rows:
        await session.execute(_UPSERT_STANDINGS, column_arrays(standing_rows, _STANDING_COLUMNS))
    if held_rows:
        await session.execute(_UPSERT_HELD, held_rows)


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

# One statement for all of a run's changed standings: as one execution per row (two per grading,
# on average) it was the credit ledger's most expensive statement.
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


async def record_history(session: AsyncSession, changes: list[BenefitChange], fact: GradeFact) -> None:
    await record_histories(session, [(c, fact) for c in changes])


async def record_histories(session: AsyncSession, changes: list[tuple[BenefitChange, GradeFact]]) -> None:
    """Each change with the grade that caused it, in order."""
    if changes:
        await session.execute(insert(benefit_history), [
            {"uscc": c.uscc, "entitlement": c.entitlement.value, "action": c.action.value, "reason": c.reason,
             "grounds": list(c.grounds), "parcel_id": fact.parcel_id, "grade": fact.grade.value,
             "grade_status": fact.status.value, "at": c.at}
            for c, fact in changes
        ])
