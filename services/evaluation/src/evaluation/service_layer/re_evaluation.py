"""Re-evaluation of a final year (重新评价): the one way a final grade changes.

An explicit act with a reason, by a caller holding its own scope: the year's facts are graded again
under the ruleset the year was made final with, every grade that changes is recorded as final with
the re-evaluation that made it, and published as a correction naming the grade it replaces. The
re-evaluation itself is kept: who, when, why, and each change.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from evaluation.domain.projection import tenant_pairs
from evaluation.domain.records import BulkEvent, Correction, Recorded
from evaluation.service_layer.grading import decide, linked_in
from evaluation.service_layer.outgoing import grade_document
from evaluation.service_layer.publication import PublicationError
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from servicekit.idempotency import IdempotentRequest
from servicekit.ids import new_id


class UnknownParcels(Exception):
    """Parcels named for re-evaluation that the service has never heard of."""

    def __init__(self, parcel_ids: list[str]) -> None:
        super().__init__(", ".join(parcel_ids))
        self.parcel_ids = parcel_ids


async def re_evaluate(uow: EvaluationUnitOfWork, year: int, reason: str, requested_by: str,
                      parcel_ids: list[str] | None = None,
                      idempotency: IdempotentRequest | None = None) -> dict[str, Any]:
    """Re-grades the final `year` (all its parcels, or `parcel_ids`); `PublicationError` (kind
    `year-not-final`) when the year is not final: a year still open is simply run again."""
    async with uow:
        if (earlier := await uow.replayed(idempotency)) is not None:
            return _found(await uow.runs.re_evaluations(year), str(earlier[1]["id"]))
        await uow.grading_lock.take(year)  # one consistent picture; no event-driven re-grade meanwhile
        final = await uow.runs.final_for(year)
        if final is None:
            raise PublicationError(
                "year-not-final", f"{year}年度评价结果尚未确定为正式结果：重新运行评价即可，无需重新评价。",
                f"The grades of {year} are not final: run the year again instead of re-evaluating it.")
        ruleset = await uow.rulesets.get(final["ruleset_id"])
        if ruleset is None:  # a final run always names a stored ruleset; rulesets are never deleted
            raise LookupError(final["ruleset_id"])
        sources = await uow.facts.load_sources(year, sorted(set(parcel_ids)) if parcel_ids else None)
        if parcel_ids and (missing := sorted(set(parcel_ids) - set(sources))):
            raise UnknownParcels(missing)
        current = await uow.grades.current_for_year(year)
        final = await uow.grades.final_for_year(year)
        linked = linked_in(await uow.facts.linked_pairs(tenant_pairs(sources.values(), year),
                                                        ruleset.equity_link_search_depth))
        now = uow.clock()
        re_evaluation_id = str(uuid.uuid4())
        corrected: list[Recorded] = []
        for parcel_id in sorted(sources):
            # Judged against the final grade: a provisional one laid over it since (a fact found
            # after finalisation) is settled too, made final or overruled.
            replaced = final.get(parcel_id)
            outcome = decide(sources[parcel_id], year, ruleset, linked, replaced, now.date())
            standing = current.get(parcel_id)
            if not outcome.changed and replaced and standing and standing.evaluation_id == replaced.evaluation_id:
                continue  # the final grade stands, and nothing was laid over it
            correction = Correction(re_evaluation_id, replaced.evaluation_id if replaced else None,
                                    replaced.grade if replaced else None, reason)
            corrected.append(replace(outcome.recorded(now, status="final"), correction=correction))
        # Not to be re-sent from the stored evaluation, which does not keep the correction.
        announced = {r.id: BulkEvent(new_id(), None) for r in corrected}
        await uow.grades.record_many(corrected, announced)
        await uow.grades.add_grade_events((announced[r.id].event_id, grade_document(r)) for r in corrected)
        changes = [{"parcel_id": r.evaluation.parcel_id, "from": r.previous_grade, "to": r.evaluation.grade.value,
                    "evaluation_id": r.id} for r in corrected]
        record = {"id": re_evaluation_id, "year": year, "ruleset_id": ruleset.id, "reason": reason,
                  "requested_by": requested_by, "requested_at": now, "graded": len(sources),
                  "changed": len(corrected), "changes": changes}
        await uow.runs.add_re_evaluation(**record)
        await uow.remember(idempotency, 201, {"id": re_evaluation_id})
    uow.storage.outbox.written.set()  # committed: the relay may publish the corrections now
    return record


def _found(records: list[dict[str, Any]], re_evaluation_id: str) -> dict[str, Any]:
    return next((r for r in records if r["id"] == re_evaluation_id), {})
