"""What this service learns from other services: parcels, the last grade acted on, inspection tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.tables import inspection_tasks, parcel_grades, parcels
from enforcement.domain.case_decisions import GradeOrder
from enforcement.domain.paging import Cursor
from enforcement.domain.projections import InspectionTask, LeaseApproval, ParcelView, SuspicionReport
from landgrade_reference.jurisdictions import canonical_jurisdiction
from servicekit.db import any_of, column_arrays, on_conflict_update, unnest_insert

# Built once, with an array parameter (see `servicekit.db.any_of`): it runs for every batch of grades.
# A grading recorded before grades carried their year counts as year 0: older than any with one.
_LAST_GRADED = (select(parcel_grades.c.parcel_id, func.coalesce(parcel_grades.c.year, 0).label("year"),
                       parcel_grades.c.evaluated_at)
                   .where(any_of(parcel_grades.c.parcel_id, "ids"))
                   .order_by(parcel_grades.c.parcel_id).with_for_update())


# Two-key advisory locks: this class of lock never meets the outbox relay's single-key one.
_PARCEL_LOCK_CLASS = 0x70_63_6C  # "pcl"
# One round trip for a whole batch of parcels (the registry's imports send thousands at once),
# taken in the order of the (sorted) array.
_LOCK_PARCELS = text(f"SELECT count(pg_advisory_xact_lock({_PARCEL_LOCK_CLASS}, hashtext(p))) "  # nosec B608  # a constant, the ids are bound
                     "FROM unnest(CAST(:ids AS text[])) AS p")


class ProjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_parcel(self, parcel: ParcelView, version: int, at: datetime) -> None:
        """Keep the newest registry version; an older redelivered state never wins."""
        values = {"parcel_id": parcel.parcel_id, "name": parcel.name, "street": parcel.street,
                  "street_key": canonical_jurisdiction(parcel.street), "holder_uscc": parcel.holder_uscc,
                  "address": parcel.address, "holder_name": parcel.holder_name, "version": version, "updated_at": at}
        statement = insert(parcels).values(**values)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["parcel_id"], set_={k: statement.excluded[k] for k in values if k != "parcel_id"},
            where=parcels.c.version <= statement.excluded.version))

    async def lock_parcels(self, parcel_ids: list[str]) -> None:
        """Holds these parcels' locks until the transaction ends (in one order: no deadlock), so that
        an inspection's "is the parcel known?" and the parcel's arrival never pass each other."""
        if parcel_ids:
            await self.session.execute(_LOCK_PARCELS, {"ids": sorted(set(parcel_ids))})

    async def parcel(self, parcel_id: str) -> ParcelView | None:
        row = (await self.session.execute(select(parcels).where(parcels.c.parcel_id == parcel_id))).first()
        return None if row is None else ParcelView(row.parcel_id, row.name, row.street, row.holder_uscc,
                                                   row.address, row.holder_name)

    async def last_graded(self, parcel_ids: list[str]) -> dict[str, GradeOrder]:
        """Each parcel's newest grading acted on (parcels never graded are absent), rows locked."""
        rows = await self.session.execute(_LAST_GRADED, {"ids": sorted(set(parcel_ids))})
        return {r.parcel_id: GradeOrder(r.year, r.evaluated_at) for r in rows}

    async def record_grades(self, rows: list[dict[str, Any]]) -> None:
        """Each parcel's newest grading (`GradeOrder`), as recording `rows` in order would leave it:
        an older one never wins, and of two as new the later does."""
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            kept = latest.get(row["parcel_id"])
            if kept is None or _order(kept) <= _order(row):
                latest[row["parcel_id"]] = row
        if latest:
            await self.session.execute(_RECORD_GRADES, column_arrays(latest.values(), _GRADE_COLUMNS))

    async def report_suspicion(self, report: SuspicionReport) -> str:
        """One open task per parcel and suspected occupant; a repeated report refreshes it. The id
        of the open task: the report's own when this report created it."""
        statement = insert(inspection_tasks).values(
            task_id=report.task_id, parcel_id=report.parcel_id, street=report.street,
            street_key=canonical_jurisdiction(report.street), suspected_uscc=report.suspected_uscc,
            reason=report.reason, filing_id=report.filing_id, lease_id=report.lease_id, year=report.year,
            reports=1, status="open",
            created_at=report.reported_at, last_reported_at=report.reported_at)
        task_id = await self.session.scalar(statement.on_conflict_do_update(
            index_elements=["parcel_id", "suspected_uscc"], index_where=text("status = 'open'"),
            set_={"reports": inspection_tasks.c.reports + 1, "reason": statement.excluded.reason,
                  "filing_id": statement.excluded.filing_id, "lease_id": statement.excluded.lease_id,
                  "year": statement.excluded.year,
                  "last_reported_at": statement.excluded.last_reported_at}).returning(inspection_tasks.c.task_id))
        assert task_id is not None  # an upsert returns its row
        return str(task_id)

    async def task(self, task_id: str) -> InspectionTask | None:
        """One task with where to go and whose land it is (as `tasks` gives them)."""
        found = await self._task_rows([inspection_tasks.c.task_id == task_id], limit=1, offset=0)
        return found[0] if found else None

    async def open_task(self, parcel_id: str, suspected_uscc: str) -> InspectionTask | None:
        """The open task about this enterprise on this parcel (there is at most one)."""
        t = inspection_tasks
        found = await self._task_rows([t.c.parcel_id == parcel_id, t.c.suspected_uscc == suspected_uscc,
                                       t.c.status == "open"], limit=1, offset=0)
        return found[0] if found else None

    async def withdraw_task(self, task_id: str, approval: LeaseApproval, at: datetime) -> bool:
        """Withdraws the task if it is still open (an inspection may have made it done meanwhile)."""
        t = inspection_tasks
        result = await self.session.execute(
            update(t).where(t.c.task_id == task_id, t.c.status == "open")
            .values(status="withdrawn", done_at=at, approval_lease_id=approval.lease_id,
                    approval_ref=approval.approval_ref, approval_date=approval.approval_date))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def complete_tasks(self, parcel_id: str, inspection_id: str, at: datetime) -> int:
        """An inspection of the parcel answers its open tasks."""
        result = await self.session.execute(
            update(inspection_tasks)
            .where(inspection_tasks.c.parcel_id == parcel_id, inspection_tasks.c.status == "open")
            .values(status="done", done_at=at, done_by_inspection_id=inspection_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def tasks(self, *, street: str | None, status: str | None, limit: int, offset: int,
                    after: Cursor | None = None) -> tuple[list[InspectionTask], int]:
        """(`limit` tasks oldest first, from `offset` past the cursor; how many match the filter)."""
        conditions: list[Any] = []
        if street:
            conditions.append(inspection_tasks.c.street_key == canonical_jurisdiction(street))
        if status:
            conditions.append(inspection_tasks.c.status == status)
        t = inspection_tasks
        total = await self.session.scalar(select(func.count()).select_from(t).where(*conditions))
        if after is not None:
            conditions.append(tuple_(t.c.created_at, t.c.task_id) > tuple_(after.at, after.key))
        return await self._task_rows(conditions, limit, offset), int(total or 0)

    async def _task_rows(self, conditions: list[Any], limit: int, offset: int) -> list[InspectionTask]:
        t = inspection_tasks
        query = (select(t, parcels.c.name.label("parcel_name"), parcels.c.address.label("parcel_address"),
                        parcels.c.holder_uscc, parcels.c.holder_name)
                 .join(parcels, parcels.c.parcel_id == t.c.parcel_id, isouter=True)
                 .where(*conditions).order_by(t.c.created_at, t.c.task_id))
        rows = (await self.session.execute(query.limit(limit).offset(offset))).all()
        return [InspectionTask(**{name: r._mapping[name] for name in _TASK_FIELDS}) for r in rows]


_TASK_FIELDS = tuple(InspectionTask.__dataclass_fields__)
_GRADE_COLUMNS = (("parcel_id", "text"), ("grade", "text"), ("status", "text"), ("evaluation_id", "text"),
                  ("year", "integer"), ("evaluated_at", "timestamptz"))
# One statement for a whole batch of grades, whatever its size: it runs for every batch the consumer applies.
_RECORD_GRADES = unnest_insert("parcel_grades", _GRADE_COLUMNS, on_conflict_update(
    ("parcel_id",), _GRADE_COLUMNS,
    where="(coalesce(parcel_grades.year, 0), parcel_grades.evaluated_at) <= (excluded.year, excluded.evaluated_at)"))


def _order(row: dict[str, Any]) -> GradeOrder:
    return GradeOrder(row["year"], row["evaluated_at"])
