"""What the GET routes answer: grades, runs, objections and rulesets, as plain JSON documents."""

from __future__ import annotations

from typing import Any

import orjson

from evaluation.adapters.monitoring_repository import WarningFilter, public_warning
from evaluation.domain.identifiers import NotYourParcel, same_enterprise
from evaluation.domain.movement import summarize
from evaluation.domain.ruleset import Ruleset, covered_years, select_ruleset
from evaluation.domain.ruleset_codec import ruleset_to_dict
from evaluation.service_layer.grading import NoRuleset
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from servicekit.clock import BEIJING
from servicekit.read_cache import ReadCache


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
        "re_evaluation_id": getattr(row, "re_evaluation_id", None), "evaluated_at": row.evaluated_at.isoformat(),
    }


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in record.items()}


def run_document(run: dict[str, Any]) -> dict[str, Any]:
    doc = _plain(run)
    doc["progress"] = round(run["graded"] / run["total"], 4) if run["total"] else (
        1.0 if run["state"] in ("draft", "published", "final") else 0.0)
    return doc


def ruleset_document(ruleset: Ruleset) -> dict[str, Any]:
    return ruleset_to_dict(ruleset)


def objection_document(objection: dict[str, Any]) -> dict[str, Any]:
    return _plain(objection)


# -- the current grade: the most frequent request -------------------------------------------------

def remembered_grade(cache: ReadCache, parcel_id: str, year: int | None) -> bytes | None:
    """The current-grade answer as last given, while nothing it rests on has changed since."""
    return cache.get((parcel_id, year))


async def holds(uow: EvaluationUnitOfWork, enterprise: str, parcel_id: str, *named: str | None) -> bool:
    """Whether `enterprise` is the parcel's rights holder: named so in the grade at hand (`named`)
    or in the facts projection (the registry's latest word). Call inside the unit of work."""
    if any(same_enterprise(holder, enterprise) for holder in named):
        return True
    return same_enterprise(await uow.facts.holder_of(parcel_id), enterprise)


async def current_grade(uow: EvaluationUnitOfWork, cache: ReadCache, parcel_id: str,
                        year: int | None, enterprise: str | None = None) -> bytes | None:
    """The current grade with its reasons and clauses, as JSON bytes; None when there is none.
    Answers are remembered (`cache`) until a change to the parcel's grades drops them. A caller
    bound to an `enterprise` reads only its own parcels' (`NotYourParcel` otherwise, whether or
    not the parcel was graded) and is never answered from memory."""
    if enterprise is not None:
        return await _own_current_grade(uow, parcel_id, year, enterprise)
    document = remembered_grade(cache, parcel_id, year)
    if document is not None:
        return document
    seen = cache.generation
    async with uow:
        row = await uow.grades.current_evaluation(parcel_id, year)
        if row is None:
            return None
        ruleset = await uow.rulesets.get(row.ruleset_id)
        warnings = await uow.monitoring.shown_with_grade(parcel_id, row.year)
    # Serialised straight to bytes: the document is plain JSON already, and the generic encoding
    # and validation of a returned dict cost more than reading it from the database.
    document = orjson.dumps(grade_document(row, ruleset, warnings))
    cache.put((parcel_id, year), parcel_id, document, seen)
    return document


async def _own_current_grade(uow: EvaluationUnitOfWork, parcel_id: str, year: int | None,
                             enterprise: str) -> bytes | None:
    async with uow:
        row = await uow.grades.current_evaluation(parcel_id, year)
        if not await holds(uow, enterprise, parcel_id, row.holder_uscc if row is not None else None):
            raise NotYourParcel(parcel_id)
        if row is None:
            return None
        ruleset = await uow.rulesets.get(row.ruleset_id)
        warnings = await uow.monitoring.shown_with_grade(parcel_id, row.year)
    return orjson.dumps(grade_document(row, ruleset, warnings))


def grade_document(row: Any, ruleset: Ruleset | None, warnings: list[dict[str, Any]]) -> dict[str, Any]:
    """The current grade, and the year's early warnings (projections beside the grade, never part of it)."""
    return {**evaluation_document(row, ruleset.clauses if ruleset else None), "warnings": warnings}


async def grade_history(uow: EvaluationUnitOfWork, parcel_id: str, year: int | None, limit: int,
                        enterprise: str | None = None) -> dict[str, Any] | None:
    """The parcel's evaluations with those of the parcels it was split or merged from (分宗, 合宗),
    newest first, each saying which parcel it graded (`graded_as`); None when there are none (of
    `year`). A caller bound to an `enterprise` sees only the evaluations naming it as holder, and
    only of its own parcels."""
    async with uow:
        lineage = await uow.facts.ancestors(parcel_id)
        rows = await uow.grades.history([parcel_id, *lineage], year, limit, enterprise)
        if enterprise is not None and not rows and not await holds(uow, enterprise, parcel_id):
            raise NotYourParcel(parcel_id)
    if not rows:
        return None
    return {"parcel_id": parcel_id, "predecessors": lineage,
            "items": [evaluation_document(r) | {"graded_as": r.parcel_id} for r in rows]}


async def listed_year(uow: EvaluationUnitOfWork, year: int | None) -> int:
    """The year a list, summary or export is of. Given: it must be one a ruleset covers (`NoRuleset`
    lists those). Not given: the latest year that has a run, or the current year before any run —
    never the largest year anyone filed for."""
    if year is None:
        return await uow.runs.latest_year() or uow.clock().year
    stored = await uow.rulesets.all()
    if select_ruleset(stored, year) is None:
        raise NoRuleset(year, covered_years(stored, uow.clock().year))
    return year


async def current_grades(uow: EvaluationUnitOfWork, grade: str | None, street: str | None, year: int | None,
                         after: str | None, limit: int, enterprise: str | None = None) -> dict[str, Any]:
    async with uow:
        year = await listed_year(uow, year)
        rows = await uow.grades.current_listing(year, grade, street, after, limit, enterprise)
    items = [{"parcel_id": r.parcel_id, "year": r.year, "grade": r.grade, "status": r.status,
              "street": r.street, "holder_uscc": r.holder_uscc, "ruleset_id": r.ruleset_id,
              "evaluation_id": r.evaluation_id, "evaluated_at": r.evaluated_at.isoformat()} for r in rows]
    return {"year": year, "items": items, "next": items[-1]["parcel_id"] if len(items) == limit else None}


async def grade_summary(uow: EvaluationUnitOfWork, year: int | None, enterprise: str | None = None) -> dict[str, Any]:
    """Counts by grade, status and street, and the movement from the year before (up, down, into D,
    newly A), over the year's current grades (of `enterprise`'s parcels, when given)."""
    async with uow:
        year = await listed_year(uow, year)
        current = await uow.grades.year_grades(year, enterprise)
        previous = await uow.grades.year_grades(year - 1, enterprise)
    before = {g.parcel_id: g.grade for g in previous}
    return summarize(year, current, before).to_dict()


# -- runs, objections, rulesets -----------------------------------------------------------------

async def run(uow: EvaluationUnitOfWork, run_id: str) -> dict[str, Any] | None:
    async with uow:
        found = await uow.runs.get(run_id)
    return run_document(found) if found is not None else None


async def runs(uow: EvaluationUnitOfWork, year: int | None, limit: int) -> dict[str, Any]:
    async with uow:
        return {"items": [run_document(r) for r in await uow.runs.listing(year, limit)]}


async def objection(uow: EvaluationUnitOfWork, objection_id: str,
                    enterprise: str | None = None) -> dict[str, Any] | None:
    async with uow:
        found = await uow.objections.get(objection_id)
        if found is not None and enterprise is not None and not await holds(
                uow, enterprise, found["parcel_id"], found["holder_uscc"]):
            raise NotYourParcel(found["parcel_id"])
    return objection_document(found) if found is not None else None


async def objections(uow: EvaluationUnitOfWork, run_id: str | None, state: str | None, parcel_id: str | None,
                     limit: int, enterprise: str | None = None) -> dict[str, Any]:
    """Objections, newest first; to a caller bound to an `enterprise`, those to its own grades."""
    async with uow:
        rows = await uow.objections.listing(run_id, state, parcel_id, limit, enterprise)
    return {"items": [objection_document(r) for r in rows]}


async def ruleset(uow: EvaluationUnitOfWork, ruleset_id: str) -> dict[str, Any] | None:
    async with uow:
        found = await uow.rulesets.get(ruleset_id)
    return ruleset_to_dict(found) if found is not None else None


async def rulesets(uow: EvaluationUnitOfWork) -> dict[str, Any]:
    async with uow:
        return {"items": [_plain(r) for r in await uow.rulesets.listing()]}


async def re_evaluations(uow: EvaluationUnitOfWork, year: int) -> dict[str, Any]:
    async with uow:
        return {"year": year, "items": [re_evaluation_document(r) for r in await uow.runs.re_evaluations(year)]}


def re_evaluation_document(record: dict[str, Any]) -> dict[str, Any]:
    return _plain(record)


# -- dynamic monitoring (动态监测) ----------------------------------------------------------------

WARNING_CURSOR_SEPARATOR = "/"  # never part of a parcel id


async def warnings(uow: EvaluationUnitOfWork, year: int | None, streets: list[str] | None, measure: str | None,
                   after: tuple[str, str] | None, limit: int) -> dict[str, Any]:
    """The current warnings of a year (the current year, Beijing, by default), in parcel order."""
    async with uow:
        year = year or uow.clock().astimezone(BEIJING).year
        rows, total = await uow.monitoring.page(WarningFilter(year, streets, measure, after, limit))
    items = [public_warning(r) for r in rows]
    more = len(items) == limit and total > 0
    last = items[-1] if items else None
    return {"year": year, "total": total, "items": items,
            "next": f"{last['parcel_id']}{WARNING_CURSOR_SEPARATOR}{last['measure']}" if more and last else None}


async def parcel_timeline(uow: EvaluationUnitOfWork, parcel_id: str, after: int | None, limit: int,
                          enterprise: str | None = None) -> dict[str, Any] | None:
    """A parcel's timeline, oldest first; None for a parcel never heard of (never an empty
    timeline a client could take for a parcel nobody moved onto). A caller bound to an
    `enterprise` reads only parcels it holds (`NotYourParcel` otherwise, known or not)."""
    async with uow:
        if enterprise is not None and not await holds(uow, enterprise, parcel_id):
            raise NotYourParcel(parcel_id)
        if await uow.facts.holder_of(parcel_id) is None:
            return None
        rows = await uow.timeline.entries(parcel_id, after, limit)
    items = [{"seq": r["seq"], "at": r["at"].isoformat(), "kind": r["kind"], "zh": r["zh"], "en": r["en"],
              "uscc": r["uscc"], **r["details"], "recorded_at": r["recorded_at"].isoformat()} for r in rows]
    return {"parcel_id": parcel_id, "items": items, "next": items[-1]["seq"] if len(items) == limit else None}
