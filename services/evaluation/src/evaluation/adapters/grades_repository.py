"""Evaluations (every result, with its explanation), the current grade per parcel and year, and
grade events written in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Text, bindparam, cast, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import current_grades, evaluations
from evaluation.domain.movement import Graded
from evaluation.domain.records import BulkEvent, Current, Recorded
from landgrade_events.evaluation import GRADES_BULK, ParcelGraded
from servicekit.db import column_arrays, on_conflict_update, unnest_insert
from servicekit.driver import driver
from servicekit.events import envelope_bytes, utc_text
from servicekit.outbox import Outbox
from servicekit.read_cache import EVERYTHING, changed
from servicekit.tracing import current_traceparent, new_traceparents

EVALUATION_COLUMNS = (
    "id", "parcel_id", "year", "holder_uscc", "street", "grade", "previous_grade", "status", "reasons",
    "metrics", "flags", "review_case_needed", "fingerprint", "ruleset_id", "run_id", "trigger_event_id",
    "objection_id", "evaluated_at", "re_evaluation_id",
)
_CURRENT_TYPES = (
    ("parcel_id", "text"), ("year", "integer"), ("evaluation_id", "text"), ("grade", "text"), ("status", "text"),
    ("fingerprint", "text"), ("street", "text"), ("holder_uscc", "text"), ("ruleset_id", "text"),
    ("evaluated_at", "timestamptz"), ("bulk_event_id", "text"), ("bulk_evaluation_id", "text"),
)
OUTBOX_COLUMNS = ["event_id", "topic", "key", "payload", "headers", "bulk"]

_UPSERT_CURRENTS = unnest_insert("current_grades", _CURRENT_TYPES,
                                 on_conflict_update(("parcel_id", "year"), _CURRENT_TYPES))
# A yearly run's upsert: a parcel-year the run sends no event for (nothing changed) keeps the bulk
# event it had, which then no longer announces the current evaluation (`domain.lanes`).
_KEEP_BULK = ", ".join(f"{c} = coalesce(excluded.{c}, current_grades.{c})"
                       for c in ("bulk_event_id", "bulk_evaluation_id"))
_UPSERT_CURRENTS_KEEPING_BULK = unnest_insert(
    "current_grades", _CURRENT_TYPES,
    on_conflict_update(("parcel_id", "year"), _CURRENT_TYPES[:-2], also=_KEEP_BULK))

# Built once: constructing these per event cost more CPU than executing them.
_EVALUATION_TYPES = (
    "id text, parcel_id text, year integer, holder_uscc text, street text, grade text, previous_grade text, "
    "status text, reasons jsonb, metrics jsonb, flags text[], review_case_needed boolean, fingerprint text, "
    "ruleset_id text, run_id text, trigger_event_id text, objection_id text, evaluated_at timestamptz, "
    "re_evaluation_id text")
# All of a batch's evaluations as one JSON document, inserted in its order (their `seq`): a
# statement execution per evaluation costs PostgreSQL and the driver several times as much.
_INSERT_EVALUATIONS = text(
    f"INSERT INTO evaluations ({', '.join(EVALUATION_COLUMNS)}) SELECT e.* "  # nosec B608  # names from code
    "FROM json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS r(doc, n), "
    f"json_to_record(r.doc) AS e({_EVALUATION_TYPES}) ORDER BY r.n")
# One key lookup per parcel whatever the statistics say: a yearly run grows the year's rows in
# its own transaction, where statistics cannot see them, and a scan of the whole year per chunk
# would make the run quadratic. (`OFFSET 0` keeps the planner from flattening the lookup into a
# join it might run as such a scan.)
_CURRENT_MANY = (
    "SELECT c.parcel_id, c.evaluation_id, c.grade, c.status, c.fingerprint, c.street, c.holder_uscc, c.ruleset_id, "
    "c.bulk_event_id, c.bulk_evaluation_id FROM unnest($2::text[]) AS p(parcel_id), "
    "LATERAL (SELECT * FROM current_grades g WHERE g.parcel_id = p.parcel_id AND g.year = $1 OFFSET 0) AS c")
_CURRENT = select(current_grades).where(current_grades.c.parcel_id == bindparam("parcel_id"),
                                        current_grades.c.year == bindparam("year"))


def _current_evaluation(of_year: bool) -> Any:
    query = (select(evaluations, current_grades.c.status.label("current_status"))
             .join(current_grades, current_grades.c.evaluation_id == evaluations.c.id)
             .where(current_grades.c.parcel_id == bindparam("parcel_id")))
    if of_year:
        query = query.where(current_grades.c.year == bindparam("year"))
    return query.order_by(current_grades.c.year.desc()).limit(1)


# Built once: the grade read is the most frequent request, and building its query costs more than running it.
_CURRENT_EVALUATION_LATEST = _current_evaluation(of_year=False)
_CURRENT_EVALUATION_OF_YEAR = _current_evaluation(of_year=True)


def evaluation_row(r: Recorded) -> dict[str, Any]:
    e = r.evaluation
    return {
        "id": r.id, "parcel_id": e.parcel_id, "year": e.year, "holder_uscc": r.holder_uscc,
        "street": r.street, "grade": e.grade.value, "previous_grade": r.previous_grade,
        "status": r.status, "reasons": [x.to_dict() for x in e.reasons], "metrics": e.metrics.to_dict(),
        "flags": [f.value for f in e.flags], "review_case_needed": e.review_case_needed,
        "fingerprint": e.fingerprint, "ruleset_id": e.ruleset_id, "run_id": r.run_id,
        "trigger_event_id": r.trigger_event_id, "objection_id": r.objection_id,
        "evaluated_at": r.evaluated_at, "re_evaluation_id": r.re_evaluation_id,
    }


def _current_row(r: Recorded, bulk: BulkEvent | None = None) -> dict[str, Any]:
    e = r.evaluation
    return {"parcel_id": e.parcel_id, "year": e.year, "evaluation_id": r.id, "grade": e.grade.value,
            "status": r.status, "fingerprint": e.fingerprint, "street": r.street,
            "holder_uscc": r.holder_uscc, "ruleset_id": e.ruleset_id, "evaluated_at": r.evaluated_at,
            "bulk_event_id": bulk.event_id if bulk else None,
            "bulk_evaluation_id": bulk.evaluation_id if bulk else None}


def _current(r: Any) -> Current:
    """A current grade from its row: parcel id, evaluation id, grade, status, fingerprint, street,
    holder, ruleset, bulk event id, the evaluation that event announced."""
    bulk = BulkEvent(r[8], r[9]) if r[8] is not None else None
    return Current(r[1], r[2], r[3], r[4], r[5], r[6], r[7], bulk)


def envelope(source: str, document: dict[str, Any], time: str, event_id: str) -> bytes:
    """A grade event's outbox payload made from its plain document (servicekit's envelope bytes):
    validating a hundred thousand events through pydantic would cost seconds."""
    return envelope_bytes(source, ParcelGraded.TYPE, document["parcel_id"], document, event_id, time)


class GradeRepository:
    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        self.session, self.outbox = session, outbox

    async def _driver(self) -> Any:
        return await driver(self.session)

    async def current(self, parcel_id: str, year: int) -> Current | None:
        row = (await self.session.execute(_CURRENT, {"parcel_id": parcel_id, "year": year})).first()
        return None if row is None else _current(
            (row.parcel_id, row.evaluation_id, row.grade, row.status, row.fingerprint, row.street, row.holder_uscc,
             row.ruleset_id, row.bulk_event_id, row.bulk_evaluation_id))

    async def current_many(self, year: int, parcel_ids: list[str]) -> dict[str, Current]:
        raw = await self._driver()
        rows = await raw.fetch(_CURRENT_MANY, year, parcel_ids)
        return {r[0]: _current(r) for r in rows}

    async def current_for_year(self, year: int) -> dict[str, Current]:
        raw = await self._driver()
        rows = await raw.fetch("SELECT parcel_id, evaluation_id, grade, status, fingerprint, street, holder_uscc, "
                               "ruleset_id, bulk_event_id, bulk_evaluation_id FROM current_grades WHERE year = $1",
                               year)
        return {r[0]: _current(r) for r in rows}

    async def final_for_year(self, year: int) -> dict[str, Current]:
        """Each parcel's latest final evaluation of the year: what a re-evaluation corrects, even
        where a provisional grade has since been laid over it."""
        raw = await self._driver()
        rows = await raw.fetch("SELECT DISTINCT ON (parcel_id) parcel_id, id, grade, status, fingerprint, street, "
                               "holder_uscc, ruleset_id FROM evaluations WHERE year = $1 AND status = 'final' "
                               "ORDER BY parcel_id, seq DESC", year)
        return {r[0]: Current(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}

    async def years_of(self, parcel_id: str) -> dict[int, str]:
        """The years the parcel has a current grade for, with that grade's status."""
        rows = (await self.session.execute(select(current_grades.c.year, current_grades.c.status).where(
            current_grades.c.parcel_id == parcel_id))).all()
        return {int(r[0]): str(r[1]) for r in rows}

    async def record_many(self, recorded: list[Recorded], bulk_events: Mapping[str, BulkEvent] | None = None) -> None:
        """Evaluations in order, each becoming its parcel-year's current grade (the last one stays),
        with the bulk event it was announced by (by evaluation id; none: a live event)."""
        bulk_events = bulk_events or {}
        if recorded:
            changed(self.session, *(r.evaluation.parcel_id for r in recorded))
            await self.session.execute(_INSERT_EVALUATIONS,
                                       {"rows": orjson.dumps([evaluation_row(r) for r in recorded]).decode()})
            # One statement for the lot, the last evaluation of each parcel-year winning as it would
            # one by one: a statement per row costs PostgreSQL three times as much (its change-notice
            # triggers fire per statement).
            last = {(r.evaluation.parcel_id, r.evaluation.year): _current_row(r, bulk_events.get(r.id))
                    for r in recorded}
            await self.session.execute(_UPSERT_CURRENTS, column_arrays(last.values(), _CURRENT_TYPES))

    async def touch_parcel(self, parcel_id: str, year: int, street: str, holder_uscc: str) -> None:
        """Street or holder changed without changing the grade: keep lists and summaries right."""
        changed(self.session, parcel_id)
        await self.session.execute(update(current_grades).where(
            current_grades.c.parcel_id == parcel_id, current_grades.c.year == year,
            (current_grades.c.street != street) | (current_grades.c.holder_uscc != holder_uscc),
        ).values(street=street, holder_uscc=holder_uscc))

    async def copy_evaluations(self, recorded: list[Recorded]) -> None:
        """A yearly run's evaluations by COPY (`replace_current` makes them current)."""
        if not recorded:
            return
        raw = await self._driver()
        # orjson writes a `Reason` dataclass as `Reason.to_dict` spells it (same keys, same order,
        # a grade as its letter), without building the dict first; a test holds the two equal.
        dumps = orjson.dumps
        rows = []
        for r in recorded:
            e = r.evaluation
            rows.append((
                r.id, e.parcel_id, e.year, r.holder_uscc, r.street, e.grade.value, r.previous_grade, r.status,
                dumps(e.reasons).decode(), dumps(e.metrics.to_dict()).decode(),
                [f.value for f in e.flags], e.review_case_needed, e.fingerprint, e.ruleset_id, r.run_id,
                r.trigger_event_id, r.objection_id, r.evaluated_at, r.re_evaluation_id,
            ))
        await raw.copy_records_to_table("evaluations", records=rows, columns=list(EVALUATION_COLUMNS))

    async def replace_current(self, recorded: list[Recorded], bulk_events: Mapping[str, BulkEvent]) -> None:
        """A run's evaluations become their parcels' current grades, with the bulk events that
        announce them (by evaluation id): an upsert on the key, which needs no plan (see
        `_CURRENT_MANY` for why a plan would go stale during a run)."""
        if recorded:
            changed(self.session, EVERYTHING)
            rows = (_current_row(r, bulk_events.get(r.id)) for r in recorded)
            await self.session.execute(_UPSERT_CURRENTS_KEEPING_BULK, column_arrays(rows, _CURRENT_TYPES))

    async def current_evaluation(self, parcel_id: str, year: int | None) -> Any:
        """The stored evaluation behind the current grade (of `year`, or of the latest year)."""
        if year is None:
            return (await self.session.execute(_CURRENT_EVALUATION_LATEST, {"parcel_id": parcel_id})).first()
        return (await self.session.execute(_CURRENT_EVALUATION_OF_YEAR,
                                           {"parcel_id": parcel_id, "year": year})).first()

    async def history(self, parcel_ids: Sequence[str], year: int | None, limit: int,
                      holder: str | None = None) -> list[Any]:
        """The evaluations of these parcels (one and the ones it came from), newest first (of
        `year`, and naming `holder`, when given)."""
        query = select(evaluations).where(evaluations.c.parcel_id.in_(list(parcel_ids)))
        if year is not None:
            query = query.where(evaluations.c.year == year)
        if holder is not None:
            query = query.where(evaluations.c.holder_uscc == holder)
        return list((await self.session.execute(query.order_by(evaluations.c.seq.desc()).limit(limit))).all())

    async def current_listing(self, year: int | None, grade: str | None, street: str | None,
                              after: str | None, limit: int, holder: str | None = None) -> list[Any]:
        query = select(current_grades).where(current_grades.c.year == year)
        for column, value in ((current_grades.c.grade, grade), (current_grades.c.street, street),
                              (current_grades.c.holder_uscc, holder)):
            if value is not None:
                query = query.where(column == value)
        if after:
            query = query.where(current_grades.c.parcel_id > after)
        return list((await self.session.execute(query.order_by(current_grades.c.parcel_id).limit(limit))).all())

    async def year_grades(self, year: int, holder: str | None = None) -> list[Graded]:
        """The year's current grades (of `holder`'s parcels, when given), one small row each."""
        raw = await self._driver()
        sql = "SELECT parcel_id, street, grade, status FROM current_grades WHERE year = $1"
        args: list[Any] = [year]
        if holder is not None:
            sql += " AND holder_uscc = $2"
            args.append(holder)
        return [Graded(r[0], r[1], r[2], r[3]) for r in await raw.fetch(sql, *args)]

    async def make_year_final(self, year: int) -> list[tuple[str, Any]]:
        """The year's current evaluations, now final (status set on both tables), each with the id
        of the bulk event that is to announce it (remembered by its current grade)."""
        rows = list((await self.session.execute(
            select(evaluations, current_grades.c.grade.label("current_grade"))
            .join(current_grades, current_grades.c.evaluation_id == evaluations.c.id)
            .where(current_grades.c.year == year))).all())
        ids = [r.id for r in rows]
        changed(self.session, EVERYTHING)
        announced: dict[str, str] = dict((await self.session.execute(
            update(current_grades).where(current_grades.c.year == year)
            .values(status="final", bulk_event_id=cast(func.gen_random_uuid(), Text),
                    bulk_evaluation_id=current_grades.c.evaluation_id)
            .returning(current_grades.c.evaluation_id, current_grades.c.bulk_event_id))).all())
        for start in range(0, len(ids), 10000):
            await self.session.execute(update(evaluations).where(evaluations.c.id.in_(ids[start:start + 10000]))
                                       .values(status="final"))
        return [(announced[r.id], r) for r in rows]

    async def evaluations_by_id(self, ids: Iterable[str]) -> dict[str, Any]:
        return {r.id: r for r in (await self.session.execute(
            select(evaluations).where(evaluations.c.id.in_(list(ids))))).all()}

    async def withdraw_bulk_events(self, event_ids: list[str]) -> None:
        """Bulk events re-sent on the live lane leave the bulk lane if still unpublished (an event
        id is written once). One the relay is publishing right now goes out on both lanes."""
        t = self.outbox.table
        if event_ids:
            # Locked in id order, as the relay's claim locks them: never each waiting for the other.
            held = select(t.c.id).where(t.c.event_id.in_(event_ids), t.c.bulk).order_by(t.c.id).with_for_update()
            await self.session.execute(delete(t).where(t.c.id.in_(held.scalar_subquery())))

    async def add_grade_events(self, events: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Many grade events of a whole-year write (a yearly run, a finalisation, a re-evaluation),
        each an id and a document, into the outbox's bulk lane by COPY."""
        span = new_traceparents(current_traceparent.get())
        time = utc_text(datetime.now(UTC))
        records = []
        for event_id, document in events:
            payload = envelope(self.outbox.source, document, time, event_id)
            headers = f'{{"traceparent":"{span()}"}}'  # hex and dashes only: nothing to escape
            records.append((event_id, GRADES_BULK, document["parcel_id"], payload, headers, True))
        if not records:
            return 0
        await self.outbox.writing_bulk(self.session)
        raw = await self._driver()
        await raw.copy_records_to_table(self.outbox.table.name, records=records, columns=OUTBOX_COLUMNS)
        # The relay is not woken here: these rows are invisible to it until the (long) transaction
        # commits, and each of its polls meanwhile would walk past all of them in the index. The
        # caller wakes it after the commit (`outbox.written.set()`).
        return len(records)
