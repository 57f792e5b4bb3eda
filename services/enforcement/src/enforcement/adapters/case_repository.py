"""Loads and saves cases with their timelines (SQLAlchemy Core, inside the caller's transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, not_, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.tables import case_timeline, cases
from enforcement.domain.case_states import CaseKind, CaseState
from enforcement.domain.cases import Case, CaseFilter, TimelineEntry
from enforcement.domain.paging import Cursor
from landgrade_reference.jurisdictions import canonical_jurisdiction
from servicekit.db import any_of

OPEN = cases.c.state != CaseState.CLOSED.value
# Built once, with an array parameter (see `servicekit.db.any_of`): it runs for every batch of grades.
_OPEN_FOR_PARCELS = (select(cases).where(any_of(cases.c.parcel_id, "ids"), OPEN)
                     .order_by(cases.c.parcel_id, cases.c.opened_at).with_for_update())


def overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(OPEN, cases.c.due_date.is_not(None), cases.c.due_date < today)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._persisted: dict[str, int] = {}  # timeline entries already in the database, per case

    async def get(self, case_id: str, *, for_update: bool = False) -> Case | None:
        query = select(cases).where(cases.c.case_id == case_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return None if row is None else await self._load(row)

    async def open_for_parcel(self, parcel_id: str) -> list[Case]:
        return (await self.open_for_parcels([parcel_id])).get(parcel_id, [])

    async def open_for_parcels(self, parcel_ids: list[str]) -> dict[str, list[Case]]:
        """`open_for_parcel` for many parcels in one statement (locked in parcel order)."""
        found: dict[str, list[Case]] = {}
        for row in (await self.session.execute(_OPEN_FOR_PARCELS, {"ids": sorted(set(parcel_ids))})).all():
            found.setdefault(row.parcel_id, []).append(await self._load(row))
        return found

    async def due_for_overdue_notice(self, today: date, limit: int) -> list[Case]:
        """Overdue cases not yet flagged for their current due date, locked; other replicas skip them."""
        query = (select(cases).where(overdue_clause(today), or_(
            cases.c.overdue_flagged_for.is_(None), cases.c.overdue_flagged_for != cases.c.due_date))
            .order_by(cases.c.due_date).limit(limit).with_for_update(skip_locked=True))
        return [await self._load(r) for r in (await self.session.execute(query)).all()]

    async def add(self, case: Case) -> bool:
        """Insert a new case; False when the parcel already has an open case of that kind."""
        inserted = await self.session.execute(
            pg_insert(cases).values(**_row(case)).on_conflict_do_nothing(
                index_elements=["parcel_id", "kind"], index_where=text("state <> 'closed'"))
            .returning(cases.c.case_id))
        if inserted.first() is None:
            return False
        self._persisted[case.case_id] = 0
        await self._append_timeline(case)
        return True

    async def save(self, case: Case) -> None:
        values = _row(case)
        del values["case_id"]
        await self.session.execute(update(cases).where(cases.c.case_id == case.case_id).values(**values))
        await self._append_timeline(case)

    async def page(self, f: CaseFilter, today: date, limit: int, offset: int,
                   after: Cursor | None = None) -> tuple[list[Case], int]:
        """(`limit` cases newest first, from `offset` past the cursor; how many match the filter)."""
        conditions: list[Any] = []
        if f.kind:
            conditions.append(cases.c.kind == f.kind)
        if f.state:
            conditions.append(cases.c.state == f.state)
        if f.parcel_id:
            conditions.append(cases.c.parcel_id == f.parcel_id)
        for area in (f.street, f.jurisdiction):
            if area:
                conditions.append(cases.c.street_key == canonical_jurisdiction(area))
        if f.overdue is not None:
            clause = overdue_clause(today)
            conditions.append(clause if f.overdue else not_(clause))
        total = await self.session.scalar(select(func.count()).select_from(cases).where(*conditions))
        if after is not None:
            conditions.append(or_(cases.c.opened_at < after.at,
                                  and_(cases.c.opened_at == after.at, cases.c.case_id > after.key)))
        rows = (await self.session.execute(
            select(cases).where(*conditions).order_by(cases.c.opened_at.desc(), cases.c.case_id)
            .limit(limit).offset(offset))).all()
        return [_case(r, []) for r in rows], int(total or 0)

    async def _load(self, row: Any) -> Case:
        entries = (await self.session.execute(
            select(case_timeline).where(case_timeline.c.case_id == row.case_id).order_by(case_timeline.c.id)
        )).all()
        timeline = [TimelineEntry(e.at, e.actor, e.action, CaseState(e.from_state) if e.from_state else None,
                                  CaseState(e.to_state), e.reason, e.due_date) for e in entries]
        self._persisted[row.case_id] = len(timeline)
        return _case(row, timeline)

    async def _append_timeline(self, case: Case) -> None:
        new = case.timeline[self._persisted.get(case.case_id, 0):]
        if new:
            await self.session.execute(insert(case_timeline), [
                {"case_id": case.case_id, "at": e.at, "actor": e.by, "action": e.action,
                 "from_state": e.from_state.value if e.from_state else None, "to_state": e.to_state.value,
                 "reason": e.reason, "due_date": e.due_date} for e in new])
        self._persisted[case.case_id] = len(case.timeline)


def _row(case: Case) -> dict[str, Any]:
    street = case.street or ""
    return {"case_id": case.case_id, "kind": case.kind.value, "parcel_id": case.parcel_id, "street": street,
            "street_key": canonical_jurisdiction(street), "holder_uscc": case.holder_uscc,
            "state": case.state.value, "opened_at": case.opened_at, "due_date": case.due_date,
            "closed_at": case.closed_at, "overdue_flagged_for": case.overdue_flagged_for}


def _case(row: Any, timeline: list[TimelineEntry]) -> Case:
    return Case(row.case_id, CaseKind(row.kind), row.parcel_id, row.street or None, CaseState(row.state),
                row.opened_at, row.due_date, row.holder_uscc, timeline, row.closed_at,
                row.overdue_flagged_for)
