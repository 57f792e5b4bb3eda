"""Evaluations (every result, with its explanation) and the current grade per parcel and year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import current_grades, evaluations
from evaluation.domain.evaluation import Evaluation
from evaluation.domain.facts import ParcelFacts
from servicekit.db import column_arrays, on_conflict_update, unnest_insert
from servicekit.ids import new_id
from servicekit.read_cache import EVERYTHING, changed

EVALUATION_COLUMNS = (
    "id", "parcel_id", "year", "holder_uscc", "street", "grade", "previous_grade", "status", "reasons",
    "metrics", "flags", "review_case_needed", "fingerprint", "ruleset_id", "run_id", "trigger_event_id",
    "objection_id", "evaluated_at",
)


_CURRENT_TYPES = (
    ("parcel_id", "text"), ("year", "integer"), ("evaluation_id", "text"), ("grade", "text"), ("status", "text"),
    ("fingerprint", "text"), ("street", "text"), ("holder_uscc", "text"), ("ruleset_id", "text"),
    ("evaluated_at", "timestamptz"),
)
CURRENT_COLUMNS = [name for name, _ in _CURRENT_TYPES]


@dataclass(frozen=True)
class Current:
    evaluation_id: str
    grade: str
    status: str
    fingerprint: str
    street: str
    holder_uscc: str
    ruleset_id: str = ""


@dataclass(frozen=True)
class Recorded:
    """One evaluation as stored, ready to become a row and a grade event."""

    id: str
    evaluation: Evaluation
    holder_uscc: str
    street: str
    previous_grade: str | None
    status: str
    evaluated_at: datetime
    run_id: str | None = None
    trigger_event_id: str | None = None
    objection_id: str | None = None

    @classmethod
    def new(cls, evaluation: Evaluation, facts: ParcelFacts, previous: Current | None, status: str,
            evaluated_at: datetime, **refs: str | None) -> Recorded:
        return cls(new_id(), evaluation, facts.holder_uscc, facts.street,
                   previous.grade if previous else None, status, evaluated_at, **refs)

    def row(self) -> dict[str, Any]:
        e = self.evaluation
        return {
            "id": self.id, "parcel_id": e.parcel_id, "year": e.year, "holder_uscc": self.holder_uscc,
            "street": self.street, "grade": e.grade.value, "previous_grade": self.previous_grade,
            "status": self.status, "reasons": [r.to_dict() for r in e.reasons], "metrics": e.metrics.to_dict(),
            "flags": [f.value for f in e.flags], "review_case_needed": e.review_case_needed,
            "fingerprint": e.fingerprint, "ruleset_id": e.ruleset_id, "run_id": self.run_id,
            "trigger_event_id": self.trigger_event_id, "objection_id": self.objection_id,
            "evaluated_at": self.evaluated_at,
        }

    def current_row(self) -> dict[str, Any]:
        e = self.evaluation
        return {"parcel_id": e.parcel_id, "year": e.year, "evaluation_id": self.id, "grade": e.grade.value,
                "status": self.status, "fingerprint": e.fingerprint, "street": self.street,
                "holder_uscc": self.holder_uscc, "ruleset_id": e.ruleset_id,
                "evaluated_at": self.evaluated_at}


async def current(session: AsyncSession, parcel_id: str, year: int) -> Current | None:
    row = (await session.execute(_CURRENT, {"parcel_id": parcel_id, "year": year})).first()
    return None if row is None else Current(row.evaluation_id, row.grade, row.status, row.fingerprint,
                                            row.street, row.holder_uscc, row.ruleset_id)


async def current_many(session: AsyncSession, year: int, parcel_ids: list[str]) -> dict[str, Current]:
    raw = await _driver(session)
    rows = await raw.fetch("SELECT parcel_id, evaluation_id, grade, status, fingerprint, street, holder_uscc, "
                           "ruleset_id FROM current_grades WHERE year = $1 AND parcel_id = ANY($2::text[])",
                           year, parcel_ids)
    return {r[0]: Current(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}


async def current_for_year(session: AsyncSession, year: int) -> dict[str, Current]:
    raw = await _driver(session)
    rows = await raw.fetch("SELECT parcel_id, evaluation_id, grade, status, fingerprint, street, holder_uscc, "
                           "ruleset_id FROM current_grades WHERE year = $1", year)
    return {r[0]: Current(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}


async def latest_year(session: AsyncSession, parcel_id: str) -> int | None:
    year = await session.scalar(select(func.max(current_grades.c.year)).where(
        current_grades.c.parcel_id == parcel_id))
    return int(year) if year is not None else None


_UPSERT_CURRENTS = unnest_insert("current_grades", _CURRENT_TYPES,
                                 on_conflict_update(("parcel_id", "year"), _CURRENT_TYPES))

# Built once: constructing these per event cost more CPU than executing them.
_EVALUATION_TYPES = (
    "id text, parcel_id text, year integer, holder_uscc text, street text, grade text, previous_grade text, "
    "status text, reasons jsonb, metrics jsonb, flags text[], review_case_needed boolean, fingerprint text, "
    "ruleset_id text, run_id text, trigger_event_id text, objection_id text, evaluated_at timestamptz")
# All of a batch's evaluations as one JSON document, inserted in its order (their `seq`): a
# statement execution per evaluation cost PostgreSQL and the driver several times as much.
_INSERT_EVALUATIONS = text(
    f"INSERT INTO evaluations ({', '.join(EVALUATION_COLUMNS)}) SELECT e.* "
    "FROM json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS r(doc, n), "
    f"json_to_record(r.doc) AS e({_EVALUATION_TYPES}) ORDER BY r.n")
_CURRENT = select(current_grades).where(current_grades.c.parcel_id == bindparam("parcel_id"),
                                        current_grades.c.year == bindparam("year"))


async def record(session: AsyncSession, recorded: Recorded) -> None:
    await record_many(session, [recorded])


async def record_many(session: AsyncSession, recorded: list[Recorded]) -> None:
    """Evaluations in order, each becoming its parcel-year's current grade (the last one stays)."""
    if recorded:
        changed(session, *(r.evaluation.parcel_id for r in recorded))
        await session.execute(_INSERT_EVALUATIONS, {"rows": orjson.dumps([r.row() for r in recorded]).decode()})
        # One statement for the lot, the last evaluation of each parcel-year winning as it would
        # one by one: a statement per row cost PostgreSQL three times as much (its change-notice
        # triggers fire per statement).
        last = {(r.evaluation.parcel_id, r.evaluation.year): r.current_row() for r in recorded}
        await session.execute(_UPSERT_CURRENTS, column_arrays(last.values(), _CURRENT_TYPES))


async def touch_parcel(session: AsyncSession, parcel_id: str, year: int, street: str, holder_uscc: str) -> None:
    """Street or holder changed without changing the grade: keep lists and summaries right."""
    changed(session, parcel_id)
    await session.execute(update(current_grades).where(
        current_grades.c.parcel_id == parcel_id, current_grades.c.year == year,
        (current_grades.c.street != street) | (current_grades.c.holder_uscc != holder_uscc),
    ).values(street=street, holder_uscc=holder_uscc))


async def copy_evaluations(session: AsyncSession, recorded: list[Recorded]) -> None:
    """A yearly run's evaluations by COPY. The run holds the grading lock exclusively, so nothing
    else writes current grades meanwhile (`replace_current` follows once all are in)."""
    if not recorded:
        return
    raw = await _driver(session)
    dumps = orjson.dumps
    rows = []
    for r in recorded:
        e = r.evaluation
        rows.append((
            r.id, e.parcel_id, e.year, r.holder_uscc, r.street, e.grade.value, r.previous_grade, r.status,
            dumps([x.to_dict() for x in e.reasons]).decode(), dumps(e.metrics.to_dict()).decode(),
            [f.value for f in e.flags], e.review_case_needed, e.fingerprint, e.ruleset_id, r.run_id,
            r.trigger_event_id, r.objection_id, r.evaluated_at,
        ))
    await raw.copy_records_to_table("evaluations", records=rows, columns=list(EVALUATION_COLUMNS))


async def replace_current(session: AsyncSession, recorded: list[Recorded], year: int) -> None:
    """These evaluations become their parcels' current grades for `year`."""
    if not recorded:
        return
    changed(session, EVERYTHING)
    raw = await _driver(session)
    await raw.execute("DELETE FROM current_grades WHERE year = $1 AND parcel_id = ANY($2::text[])",
                      year, [r.evaluation.parcel_id for r in recorded])
    current = [(r.evaluation.parcel_id, year, r.id, r.evaluation.grade.value, r.status, r.evaluation.fingerprint,
                r.street, r.holder_uscc, r.evaluation.ruleset_id, r.evaluated_at) for r in recorded]
    await raw.copy_records_to_table("current_grades", records=current, columns=CURRENT_COLUMNS)


async def _driver(session: AsyncSession) -> Any:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def current_evaluation(session: AsyncSession, parcel_id: str, year: int | None) -> Any:
    """The stored evaluation behind the current grade (of `year`, or of the latest year)."""
    if year is None:
        return (await session.execute(_CURRENT_EVALUATION_LATEST, {"parcel_id": parcel_id})).first()
    return (await session.execute(_CURRENT_EVALUATION_OF_YEAR, {"parcel_id": parcel_id, "year": year})).first()


def _current_evaluation(of_year: bool) -> Any:
    query = (select(evaluations, current_grades.c.status.label("current_status"))
             .join(current_grades, current_grades.c.evaluation_id == evaluations.c.id)
             .where(current_grades.c.parcel_id == bindparam("parcel_id")))
    if of_year:
        query = query.where(current_grades.c.year == bindparam("year"))
    return query.order_by(current_grades.c.year.desc()).limit(1)


# Built once: the grade read is the most frequent request, and building its query cost more than running it.
_CURRENT_EVALUATION_LATEST = _current_evaluation(of_year=False)
_CURRENT_EVALUATION_OF_YEAR = _current_evaluation(of_year=True)
