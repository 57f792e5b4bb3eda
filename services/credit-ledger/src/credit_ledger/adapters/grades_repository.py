"""Every grading seen (deduplicated by evaluation id): parcel → holder, and the public list."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import false, func, select, true, tuple_
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import enterprises, grades
from credit_ledger.domain.disclosure import Downgraded, PublicListPolicy
from credit_ledger.domain.grades import Grade, GradeFact, QualityHolder
from credit_ledger.domain.paging import HolderCursor
from servicekit.db import column_arrays, unnest_insert

# One statement text whatever the number of gradings (see `servicekit.db.unnest_insert`): a
# multi-row VALUES list is compiled, and prepared by PostgreSQL, anew for every run length.
_GRADE_COLUMNS = (("evaluation_id", "text"), ("parcel_id", "text"), ("holder_uscc", "text"), ("year", "integer"),
                  ("grade", "text"), ("status", "text"), ("evaluated_at", "timestamptz"))
_FIRST_SEEN = unnest_insert("grades", _GRADE_COLUMNS, "ON CONFLICT DO NOTHING RETURNING evaluation_id")


class GradeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_new(self, facts: Sequence[GradeFact]) -> set[str]:
        """Stores the gradings not seen before; their evaluation ids (the first of duplicates wins)."""
        rows = {fact.evaluation_id: _grade_row(fact) for fact in reversed(facts)}
        inserted = await self.session.execute(_FIRST_SEEN, column_arrays(rows.values(), _GRADE_COLUMNS))
        return set(inserted.scalars())

    async def latest_holder(self, parcel_id: str) -> str | None:
        """The holder named by the parcel's latest grading (this service keeps no parcel register)."""
        holder: str | None = await self.session.scalar(
            select(grades.c.holder_uscc).where(grades.c.parcel_id == parcel_id)
            .order_by(grades.c.evaluated_at.desc()).limit(1)
        )
        return holder

    async def held_in(self, year: int) -> list[tuple[str, str, Grade]]:
        """(holder, parcel, grade) by each parcel's latest grading of the year, in holder order."""
        latest = (
            select(grades.c.holder_uscc, grades.c.parcel_id, grades.c.grade)
            .where(grades.c.year == year)
            .ext(distinct_on(grades.c.parcel_id))
            .order_by(grades.c.parcel_id, grades.c.evaluated_at.desc(), grades.c.evaluation_id.desc())
            .subquery()
        )
        rows = await self.session.execute(select(latest).order_by(latest.c.holder_uscc, latest.c.parcel_id))
        return [(r.holder_uscc, r.parcel_id, Grade(r.grade)) for r in rows]

    async def latest_final_year(self) -> int | None:
        year: int | None = await self.session.scalar(
            select(func.max(grades.c.year)).where(grades.c.status == "final"))
        return year

    async def quality_holders(self, year: int | None, limit: int, offset: int, policy: PublicListPolicy,
                              after: HolderCursor | None = None) -> tuple[int, list[QualityHolder]]:
        """(how many in all, one page from `offset` past the cursor): A-class holders by the latest
        FINAL grading of each parcel in the year, in USCC and parcel order; a parcel whose newest
        grading since is at or below the policy's review grade is left off or marked, as the policy says."""
        latest = (
            select(grades.c.parcel_id, grades.c.holder_uscc, grades.c.grade, grades.c.year,
                   grades.c.evaluated_at)
            .where(grades.c.status == "final", grades.c.year == year)
            .ext(distinct_on(grades.c.parcel_id))
            .order_by(grades.c.parcel_id, grades.c.evaluated_at.desc(), grades.c.evaluation_id.desc())
            .subquery()
        )
        newer = grades.alias("newer")
        newest = (
            select(newer.c.grade)
            .where(newer.c.parcel_id == latest.c.parcel_id, newer.c.evaluated_at > latest.c.evaluated_at)
            .order_by(newer.c.evaluated_at.desc(), newer.c.evaluation_id.desc())
            .limit(1)
            .lateral("newest")
        )
        reviewed = func.coalesce(newest.c.grade.in_(policy.review_grades), false())
        listed = (
            select(latest.c.parcel_id, latest.c.holder_uscc, latest.c.year, enterprises.c.name,
                   reviewed.label("under_review"))
            .join(enterprises, enterprises.c.uscc == latest.c.holder_uscc, isouter=True)
            .join(newest, true(), isouter=True)
            .where(latest.c.grade == "A")
        )
        if policy.downgraded is Downgraded.WITHHOLD:
            listed = listed.where(~reviewed)
        total = await self.session.scalar(select(func.count()).select_from(listed.subquery()))
        if after is not None:
            key = tuple_(latest.c.holder_uscc, latest.c.parcel_id)
            listed = listed.where(key > tuple_(after.uscc, after.parcel_id))
        rows = await self.session.execute(
            listed.order_by(latest.c.holder_uscc, latest.c.parcel_id).limit(limit).offset(offset))
        return int(total or 0), [QualityHolder(r.holder_uscc, r.name, r.parcel_id, r.year, bool(r.under_review))
                                 for r in rows]


def _grade_row(fact: GradeFact) -> dict[str, object]:
    return {
        "evaluation_id": fact.evaluation_id, "parcel_id": fact.parcel_id, "holder_uscc": fact.holder_uscc,
        "year": fact.year, "grade": fact.grade.value, "status": fact.status.value, "evaluated_at": fact.graded_at,
    }
