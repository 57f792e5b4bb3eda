"""A run of grade events applied at once (the consumer's whole-batch path) must leave exactly what
applying them one by one (the event-by-event fallback, lists of one) leaves: the same cases in the same states, the same timelines, the same
last grades and the same case events in the same order."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.adapters.tables import plumbing as plumbing_tables
from enforcement.service_layer.cases import on_parcel_graded
from enforcement.service_layer.context import Context
from landgrade_events.evaluation import Metrics, ParcelGraded, Reason
from servicekit.events import CloudEvent
from servicekit.inbox import Delivery, Received
from servicekit.wiring import Plumbing

pytestmark = pytest.mark.infra


def _grades(start: datetime, parcels: list[str]) -> list[ParcelGraded]:
    """D opens a case, D again does not, C swaps it for renewal guidance, an older grade is ignored,
    A closes, D reopens; a second parcel interleaved; a provisional grade in between."""

    def graded(parcel: str, grade: str, minutes: int, status: str = "final") -> ParcelGraded:
        return ParcelGraded(
            evaluation_id=str(uuid.uuid4()), parcel_id=parcel, holder_uscc="91110302MA00000001", street="荣华街道",
            year=2024, grade=grade, status=status,
            reasons=[Reason(clause="D1", code="x", text_zh="测试", text_en=f"graded {grade}")],
            metrics=Metrics(area_ha=Decimal(2), output_value=Decimal(0), tax_paid=Decimal(0),
                            output_per_ha=Decimal(0), tax_per_ha=Decimal(0)),
            ruleset_id="etown-2024-draft", evaluated_at=start + timedelta(minutes=minutes))

    p, q = parcels
    return [graded(p, "D", 1), graded(q, "C", 2), graded(p, "D", 3), graded(p, "C", 4), graded(p, "A", 2),
            graded(q, "B", 5, "provisional"), graded(p, "A", 6), graded(q, "D", 7), graded(p, "D", 8)]


# The case events the handlers wrote, read inside their transaction: once it commits, the running
# service's relay publishes them and deletes the rows.
_EVENTS = text("SELECT key, payload FROM outbox WHERE key = ANY(:p) ORDER BY id")


async def _apply(ctx: Context, gradings: list[ParcelGraded], at_once: bool, parcels: list[str]) -> list[Any]:
    received = [Received(g, Delivery(CloudEvent.wrap(g, "test"), None)) for g in gradings]
    async with ctx.uow() as inbox:  # the inbox's transaction, which each handler's unit of work joins
        if at_once:
            await on_parcel_graded(ctx.uow_on(inbox.session), received)
        else:
            for one in received:
                await on_parcel_graded(ctx.uow_on(inbox.session), [one])
        return list(await inbox.session.execute(_EVENTS, {"p": parcels}))


async def _state(enforcement: Any, parcels: list[str], events: list[Any]) -> dict[str, Any]:
    names = {p: f"<parcel {i}>" for i, p in enumerate(parcels)}
    queries = {
        "cases": "SELECT kind, parcel_id, state, due_date, closed_at IS NOT NULL AS closed FROM cases WHERE parcel_id = ANY(:p) "
                 "ORDER BY parcel_id, opened_at, kind",
        "timeline": "SELECT c.parcel_id, c.kind, t.action, t.from_state, t.to_state, t.reason, t.due_date "
                    "FROM case_timeline t JOIN cases c USING (case_id) WHERE c.parcel_id = ANY(:p) ORDER BY t.id",
        "grades": "SELECT parcel_id, grade, status, evaluated_at FROM parcel_grades WHERE parcel_id = ANY(:p) "
                  "ORDER BY parcel_id",
    }
    found = {}
    for name, sql in [*queries.items(), ("events", None)]:
        rows = []
        for row in events if sql is None else await enforcement.sql(sql, p=parcels):
            values = dict(row._mapping)
            if "payload" in values:
                data = json.loads(bytes(values.pop("payload")))["data"]
                values["data"] = {k: v for k, v in data.items() if k not in ("case_id", "at")}  # at: the clock
            dumped = json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)
            for parcel, label in names.items():
                dumped = dumped.replace(parcel, label)
            rows.append(dumped)
        found[name] = rows
    return found


async def test_a_run_of_grades_applied_at_once_equals_one_by_one(enforcement) -> None:
    settings = enforcement.settings
    plumbing = Plumbing.build(settings, plumbing_tables)
    ctx = Context(storage=plumbing.storage, evidence_store=EvidenceStore(settings.evidence_dir),
                  evidence_policy=settings.evidence_policy(), due_policy=settings.due_policy(),
                  clock=enforcement.clock)
    results, start = {}, enforcement.clock()
    try:
        for at_once in (False, True):
            parcels = sorted(f"P-{uuid.uuid4().hex[:10]}" for _ in range(2))
            events = await _apply(ctx, _grades(start, parcels), at_once, parcels)
            results[at_once] = await _state(enforcement, parcels, events)
    finally:
        await plumbing.db.dispose()
    one_by_one, at_once = results[False], results[True]
    assert len(one_by_one["cases"]) >= 4 and len(one_by_one["events"]) >= 6
    for table in one_by_one:
        assert at_once[table] == one_by_one[table], table
