"""Warnings follow every filing: after a run of filings is re-graded, each parcel of the current
year (Beijing) is projected from its stored quarters, its warnings replaced, and each warning
raised, changed or withdrawn goes out on `landgrade.evaluation.warnings.v1` — in the same
transaction as the consumed filings. A warning is a projection: it never changes a grade."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evaluation.domain.monitoring import Change, QuarterRow, changes, current_warnings
from evaluation.domain.outlook import Warning
from evaluation.domain.ruleset import select_ruleset
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from landgrade_events.evaluation import WarningChanged
from landgrade_events.registry import FilingAccepted
from servicekit.clock import BEIJING
from servicekit.inbox import Received


async def follow_filings(uow: EvaluationUnitOfWork, filings: list[Received[FilingAccepted]]) -> None:
    left = await uow.monitoring.store_filings([f.data for f in filings])
    now = uow.clock()
    year = now.astimezone(BEIJING).year
    # The last filing touching each parcel's current year triggers its refresh (its trace goes
    # with the events): filed for the year, or corrected out of it.
    last: dict[str, Received[FilingAccepted]] = {}
    for received in filings:
        if received.data.year == year:
            last[received.data.parcel_id] = received
    for parcel_id in sorted(p for p, y in left if y == year and p not in last):
        last[parcel_id] = filings[-1]  # moved out by a correction in this run
    rows = []
    categories: dict[str, list[QuarterRow]] = {}  # one aggregate per category and run of filings
    for parcel_id, received in last.items():
        street, found = await refresh(uow, parcel_id, year, now, categories)
        for change in found:
            with received.traced():
                rows.append(uow.storage.outbox.row(warning_event(change, parcel_id, street, year, now, received)))
    if rows:
        await uow.emit_rows(rows)


async def refresh(uow: EvaluationUnitOfWork, parcel_id: str, year: int, now: datetime,
                  categories: dict[str, list[QuarterRow]] | None = None) -> tuple[str, list[Change]]:
    """Replaces the parcel-year's warnings with the ones that hold now; its street and what changed."""
    basis = await uow.monitoring.parcel(parcel_id)
    if basis is None:
        return "", []  # a parcel not announced yet: projected with its next filing once it is
    grades = await uow.monitoring.grades_until(parcel_id, year)
    ruleset = select_ruleset(await uow.rulesets.all(), year)
    stored = await uow.monitoring.warnings_of(parcel_id, year)
    found: list[Warning] = []
    if ruleset is not None:
        own = await uow.monitoring.quarters_of(parcel_id, year)
        categories = {} if categories is None else categories
        if basis.category not in categories:
            categories[basis.category] = await uow.monitoring.quarters_of_category(basis.category, year)
        category = categories[basis.category]
        found = current_warnings(parcel_id, year, basis.area_m2, grades, own, category, ruleset)
    before = {m: _stored_fingerprint(r) for m, r in stored.items()}
    found_changes = changes(before, found)
    if found_changes:
        await uow.monitoring.replace_warnings(parcel_id, year, [
            _row(w, basis.street, stored.get(w.measure), now) for w in found])
    return basis.street, found_changes


def _stored_fingerprint(r: dict[str, Any]) -> tuple[object, ...]:
    return (r["quarter"], r["at_risk_of"], r["low_per_ha"], r["point_per_ha"], r["high_per_ha"],
            r["threshold_per_ha"], r["pattern_source"], list(r["pattern_years"]), r["zh"])


def _row(w: Warning, street: str, previous: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    return {
        "parcel_id": w.parcel_id, "year": w.year, "measure": w.measure, "street": street, "quarter": w.quarter,
        "at_risk_of": w.at_risk_of.value, "low_per_ha": w.low_per_ha, "point_per_ha": w.point_per_ha,
        "high_per_ha": w.high_per_ha, "threshold_per_ha": w.threshold_per_ha,
        "pattern_source": w.pattern.source.value, "pattern_years": list(w.pattern.years), "zh": w.zh, "en": w.en,
        # A warning keeps the time it was first raised while it holds.
        "raised_at": previous["raised_at"] if previous else now, "updated_at": now,
    }


def warning_event(change: Change, parcel_id: str, street: str, year: int, now: datetime,
                  received: Received[FilingAccepted] | None = None) -> WarningChanged:
    data: dict[str, Any] = {"parcel_id": parcel_id, "year": year, "measure": change.measure,
                            "change": change.kind, "changed_at": now,
                            "triggering_event_id": received.event_id if received else None}
    w = change.warning
    if w is not None:
        data |= {"quarter": w.quarter, "at_risk_of": w.at_risk_of.value, "projected_low_per_ha": w.low_per_ha,
                 "projected_per_ha": w.point_per_ha, "projected_high_per_ha": w.high_per_ha,
                 "threshold_per_ha": w.threshold_per_ha, "pattern_source": w.pattern.source.value,
                 "pattern_years": list(w.pattern.years), "zh": w.zh, "en": w.en}
    return WarningChanged.model_validate({"street": street, **data})
