"""Read API: a parcel's current grade and history, lists by grade/street/year, and summaries."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select

from evaluation.adapters import grades_store, rulesets_store
from evaluation.adapters.tables import current_grades, evaluations
from evaluation.service_layer.context import EvaluationContext
from servicekit.auth import Principal, require
from servicekit.problems import Problem

READ = ("grades:read",)
_GRADE_DOCUMENT: dict[str, Any] = {"description": "The current grade with its reasons, metrics and flags",
                                   "content": {"application/json": {"schema": {"type": "object"}}}}
# Bounded like every year the service accepts: an unbounded int overflows the database column (500).
FIRST_YEAR, LAST_YEAR = 2000, 2100
Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]


def evaluation_document(row: Any, clauses: dict[str, Any] | None = None) -> dict[str, Any]:
    reasons = []
    for r in row.reasons:
        clause = (clauses or {}).get(r["clause_id"])
        reasons.append({**r, "clause": {"zh": clause.zh, "en": clause.en} if clause else None})
    return {
        "evaluation_id": row.id, "parcel_id": row.parcel_id, "year": row.year, "grade": row.grade,
        "previous_grade": row.previous_grade, "status": getattr(row, "current_status", None) or row.status,
        "holder_uscc": row.holder_uscc, "street": row.street, "reasons": reasons, "flags": list(row.flags),
        "metrics": row.metrics, "review_case_needed": row.review_case_needed, "ruleset_id": row.ruleset_id,
        "run_id": row.run_id, "trigger_event_id": row.trigger_event_id, "objection_id": row.objection_id,
        "evaluated_at": row.evaluated_at.isoformat(),
    }


def router() -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["grades"])

    @api.get("/parcels/{parcel_id}/grade", summary="Current grade of a parcel, with its reasons",
             response_model=None, responses={200: _GRADE_DOCUMENT})
    async def current_grade(request: Request, parcel_id: str, year: Year = None,
                            _: Principal = require(*READ)) -> Response:
        ctx: EvaluationContext = request.app.state.evaluation
        cache, key = ctx.grade_reads, (parcel_id, year)
        document = cache.get(key)
        if document is None:
            seen = cache.generation
            async with ctx.db.sessions() as session:
                row = await grades_store.current_evaluation(session, parcel_id, year)
                if row is None:
                    raise Problem(404, "No grade",
                                  f"Parcel {parcel_id} has no grade" + (f" for {year}." if year else "."))
                ruleset = await rulesets_store.get(session, row.ruleset_id)
            # Serialised straight to bytes: the document is plain JSON already, and the generic
            # encoding and validation of a returned dict cost more than reading it from the database.
            document = orjson.dumps(evaluation_document(row, ruleset.clauses if ruleset else None))
            cache.put(key, parcel_id, document, seen)
        return Response(document, media_type="application/json")

    @api.get("/parcels/{parcel_id}/grades", summary="Grade history of a parcel, newest first")
    async def history(request: Request, parcel_id: str, year: Year = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      _: Principal = require(*READ)) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        query = select(evaluations).where(evaluations.c.parcel_id == parcel_id)
        if year is not None:
            query = query.where(evaluations.c.year == year)
        async with ctx.db.sessions() as session:
            rows = (await session.execute(query.order_by(evaluations.c.seq.desc()).limit(limit))).all()
        return {"parcel_id": parcel_id, "items": [evaluation_document(r) for r in rows]}

    @api.get("/grades", summary="Current grades, filtered by grade, street and year (paginated)")
    async def grades(request: Request, grade: Annotated[str | None, Query(pattern="^[ABCD]$")] = None,
                     street: str | None = None, year: Year = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     after: Annotated[str | None, Query(description="cursor: the last parcel_id seen")] = None,
                     _: Principal = require(*READ)) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            year = year or await session.scalar(select(func.max(current_grades.c.year)))
            query = select(current_grades).where(current_grades.c.year == year)
            for column, value in ((current_grades.c.grade, grade), (current_grades.c.street, street)):
                if value is not None:
                    query = query.where(column == value)
            if after:
                query = query.where(current_grades.c.parcel_id > after)
            rows = (await session.execute(query.order_by(current_grades.c.parcel_id).limit(limit))).all()
        items = [{"parcel_id": r.parcel_id, "year": r.year, "grade": r.grade, "status": r.status,
                  "street": r.street, "holder_uscc": r.holder_uscc, "ruleset_id": r.ruleset_id,
                  "evaluation_id": r.evaluation_id, "evaluated_at": r.evaluated_at.isoformat()} for r in rows]
        return {"year": year, "items": items, "next": items[-1]["parcel_id"] if len(items) == limit else None}

    @api.get("/grades/summary", summary="Counts by grade and by street for a year")
    async def summary(request: Request, year: Year = None, _: Principal = require(*READ)) -> dict[str, Any]:
        ctx: EvaluationContext = request.app.state.evaluation
        async with ctx.db.sessions() as session:
            year = year or await session.scalar(select(func.max(current_grades.c.year)))
            rows = (await session.execute(
                select(current_grades.c.street, current_grades.c.grade, current_grades.c.status, func.count())
                .where(current_grades.c.year == year)
                .group_by(current_grades.c.street, current_grades.c.grade, current_grades.c.status))).all()
        by_grade = dict.fromkeys("ABCD", 0)
        by_street: dict[str, dict[str, int]] = {}
        by_status: dict[str, int] = {}
        for street, letter, status, count in rows:
            by_grade[letter] += count
            by_street.setdefault(street, dict.fromkeys("ABCD", 0))[letter] += count
            by_status[status] = by_status.get(status, 0) + count
        return {"year": year, "total": sum(by_grade.values()), "by_grade": by_grade,
                "by_street": dict(sorted(by_street.items())), "by_status": by_status}

    return api
