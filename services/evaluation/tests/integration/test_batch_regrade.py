"""A run of filings applied at once (the consumer's whole-batch path) must leave exactly what
applying them one by one (the event-by-event fallback, each a batch of one) leaves: the same evaluations in the same order, with the same previous grades,
metrics, reasons and triggering events, and the same grade events."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from evaluation.adapters.tables import current_grades, evaluations, parcel_revenue, plumbing
from evaluation.entrypoints.consumers import SUBSCRIPTIONS
from landgrade_events.registry import FilingAccepted, LeaseChanged, ParcelChanged
from servicekit.events import CloudEvent
from servicekit.inbox import Delivery, Received, parse

STREET = "荣华街道"


def _scenario(prefix: str, holder: str, tenant: str, occupant: str) -> list[Any]:
    """Parcels, then filings that move grades up and down, repeat a parcel within the run, come
    from a non-counted occupant, span two years and name a parcel nobody announced."""
    p1, p2, p3 = f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"
    facts: list[Any] = [
        ParcelChanged(parcel_id=p, name=p, street=STREET, category="self_use", area_m2=Decimal(10000),
                      holder_uscc=holder) for p in (p1, p2, p3)
    ]
    facts.append(LeaseChanged(parcel_id=p2, lease_id="L1", tenant_uscc=tenant, area_m2=Decimal(500),
                              approved=True, equity_linked=False))

    def filing(parcel: str, filer: str, year: int, output: int, tax: int, n: int, counted: bool = True,
               contributors: list[str] | None = None) -> Any:
        return FilingAccepted(
            filing_id=f"F-{uuid.uuid4().hex[:8]}", revision=1, uscc=filer, parcel_id=parcel, year=year,
            attributed_output=Decimal(output), attributed_tax=Decimal(tax), counted=counted,
            parcel_year_output=Decimal(output), parcel_year_tax=Decimal(tax), parcel_year_filings=n,
            parcel_year_contributors=contributors)

    filings = [
        filing(p1, holder, 2025, 100_000_000, 10_000_000, 1),   # B
        filing(p1, holder, 2025, 350_000_000, 35_000_000, 2),   # A
        filing(p2, holder, 2025, 400_000_000, 40_000_000, 1),   # A
        filing(p2, tenant, 2025, 450_000_000, 45_000_000, 2),   # A again, tenant joins: flags change
        filing(p1, holder, 2025, 350_000_000, 35_000_000, 2),   # same totals: no new evaluation
        filing(p1, holder, 2024, 350_000_000, 35_000_000, 1),   # another year
        filing(p3, occupant, 2025, 500_000_000, 50_000_000, 1, counted=False),
        filing(f"{prefix}-unknown", holder, 2025, 900_000_000, 90_000_000, 1),
        filing(p1, holder, 2025, 120_000_000, 12_000_000, 3),   # back down to B
        # The tenant's filing corrected away from p2: the totals name the holder alone again.
        filing(p2, tenant, 2025, 400_000_000, 40_000_000, 1, contributors=[holder]),
        filing(p2, holder, 2025, 410_000_000, 41_000_000, 2, contributors=[holder, tenant]),
    ]
    return facts + filings


def _envelopes(items: list[Any]) -> list[CloudEvent]:
    return [CloudEvent.wrap(item, source="test") for item in items]


async def _apply(service: Any, events: list[CloudEvent], at_once: bool, prefix: str) -> list[Any]:
    """Applies the events; returns the grade events they wrote, read inside their transactions (once
    one commits, the running service's relay publishes its events and deletes the rows)."""
    handlers = {model.TYPE: (model, handler) for model, handler in SUBSCRIPTIONS[0].handlers.items()}

    def received(event: CloudEvent) -> Received[Any]:
        return Received(parse(event, handlers[event.type][0]), Delivery(event, None))

    async def written(session: Any) -> list[Any]:
        return list((await session.execute(select(plumbing.outbox.c.key, plumbing.outbox.c.payload).where(
            plumbing.outbox.c.key.like(f"{prefix}-%")).order_by(plumbing.outbox.c.id))).all())

    facts = [e for e in events if e.type != FilingAccepted.TYPE]
    filings = [e for e in events if e.type == FilingAccepted.TYPE]
    async with service.ctx.storage.db.transaction() as session:
        for event in facts:
            await handlers[event.type][1](service.ctx.uow_on(session), [received(event)])
        announced = await written(session)
    async with service.ctx.storage.db.transaction() as session:
        handle = handlers[FilingAccepted.TYPE][1]
        if at_once:
            await handle(service.ctx.uow_on(session), [received(e) for e in filings])
        else:
            for event in filings:
                await handle(service.ctx.uow_on(session), [received(event)])
        seen = {key_payload[1] for key_payload in announced}
        return announced + [row for row in await written(session) if row[1] not in seen]


async def _history(service: Any, prefix: str, trigger_index: dict[str, int], events: list[Any]) -> dict[str, Any]:
    async with service.ctx.storage.db.transaction() as session:
        rows = (await session.execute(select(evaluations).where(evaluations.c.parcel_id.like(f"{prefix}-%"))
                                      .order_by(evaluations.c.parcel_id, evaluations.c.year,
                                                evaluations.c.seq))).all()
        current = (await session.execute(select(current_grades).where(
            current_grades.c.parcel_id.like(f"{prefix}-%")))).all()
        revenue = (await session.execute(select(parcel_revenue).where(
            parcel_revenue.c.parcel_id.like(f"{prefix}-%")))).all()

    def local(parcel_id: str) -> str:
        return parcel_id.removeprefix(prefix)

    def same_across_runs(text: str) -> str:
        return text.replace(prefix, "")

    by_id = {r.id: r for r in rows}
    return {
        "evaluations": [(local(r.parcel_id), r.year, r.grade, r.previous_grade, r.fingerprint, r.metrics,
                         sorted(r.flags), same_across_runs(json.dumps(r.reasons, ensure_ascii=False)),
                         trigger_index[r.trigger_event_id]) for r in rows],
        "current": sorted((local(c.parcel_id), c.year, by_id[c.evaluation_id].fingerprint, c.grade)
                          for c in current),
        "revenue": sorted((local(r.parcel_id), r.year, r.output_value, r.tax_paid, r.filings,
                           len(r.contributors)) for r in revenue),
        "events": [(local(key), json.loads(payload)["data"]["grade"],
                    json.loads(payload)["data"]["previous_grade"],
                    trigger_index[json.loads(payload)["data"]["triggering_event_id"]]) for key, payload in events],
    }


async def test_a_run_of_filings_applied_at_once_equals_one_by_one(service) -> None:
    holder, tenant, occupant = service.uscc(), service.uscc(), service.uscc()
    results = {}
    for at_once in (False, True):
        prefix = f"P-{uuid.uuid4().hex[:8]}"
        events = _envelopes(_scenario(prefix, holder, tenant, occupant))
        written = await _apply(service, events, at_once, prefix)
        trigger_index = {e.id: i for i, e in enumerate(events)}
        results[at_once] = await _history(service, prefix, trigger_index, written)

    one_by_one, at_once = results[False], results[True]
    assert len(one_by_one["evaluations"]) >= 6  # the scenario does move grades
    assert len(one_by_one["events"]) >= 4  # and announces them
    # Registered (B, no filing: 2025 is the current year here), then B, A and back to B by filings.
    assert [e[2] for e in one_by_one["evaluations"] if e[0] == "-1" and e[1] == 2025] == ["B", "B", "A", "B"]
    summed = [e[0] for e in one_by_one["evaluations"] if e[1] == 2025 and "output_summed" in e[7]]
    assert summed == ["-2", "-2"]  # the tenant joined, left with its correction, and came back
    assert at_once == one_by_one
