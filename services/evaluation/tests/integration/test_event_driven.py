"""Facts arrive as events; the parcel is re-graded in the same transaction and announced."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from evaluation.adapters.tables import evaluations
from landgrade.testing import read_events
from landgrade_events.evaluation import GRADES

YEAR = 2025


def pid() -> str:
    return f"P-{uuid.uuid4().hex[:10]}"


async def test_filing_event_lifts_b_to_a_and_announces_it(service, infra) -> None:
    parcel, holder, tenant = pid(), service.uscc(), service.uscc()
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, YEAR, "241000000", "25000000")
    b = await service.grade_becomes(parcel, "B", YEAR, output="241000000.00")
    assert b["status"] == "provisional"
    texts = [r["zh"] for r in b["reasons"]]
    assert "地均产值 2.41亿元/公顷 < 3亿元/公顷" in texts
    assert b["reasons"][0]["clause"]["zh"].startswith("B类工业用地标准为")

    lift = await service.filing(parcel, tenant, YEAR, "320000000", "26000000", filings=2)
    a = await service.grade_becomes(parcel, "A", YEAR)
    assert a["previous_grade"] == "B" and a["metrics"]["output_per_ha"] == "320000000.00"
    assert "output_summed" in a["flags"]  # holder and tenant filed: summed for the parcel (gap 4)

    # The registration's own grade (B, no filing yet) comes first when the parcel event was consumed
    # before the filing (they travel on two topics); the filings' grades are these.
    events = await read_events(infra.bootstrap, GRADES, lambda e: e.subject == parcel
                               and "no_filing" not in e.data["flags"], count=2)
    assert [e.data["grade"] for e in events] == ["B", "A"]
    assert events[1].data["previous_grade"] == "B"
    assert events[1].data["triggering_event_id"] == lift.id
    assert events[1].data["status"] == "provisional" and events[1].data["holder_uscc"] == holder
    assert any("地均产值 3.2亿元/公顷 ≥ 3亿元/公顷" == r["text_zh"] for r in events[1].data["reasons"])


async def test_unauthorised_lease_finding_grades_c_or_d_by_attitude_and_equity_link(service) -> None:
    holder = service.uscc()
    linked_tenant, stranger = service.uscc(), service.uscc()
    await service.enterprise(linked_tenant, [holder])  # the holder owns shares of this tenant
    cases = {
        "refuses, no equity link": (stranger, "refuses_to_correct", "D", set()),
        "cooperates with renewal": (stranger, "cooperating_with_renewal", "C", set()),
        "refuses, equity-linked tenant": (linked_tenant, "refuses_to_correct", "C", {"equity_linked_tenant"}),
        "attitude not yet known": (stranger, "undetermined", "C", {"guidance_pending"}),
    }
    parcels = {}
    for name, (tenant, attitude, _, _) in cases.items():
        parcels[name] = pid()
        await service.parcel(parcels[name], holder)
        await service.filing(parcels[name], holder, YEAR, "900000000", "90000000")
        await service.grade_becomes(parcels[name], "A", YEAR)
        await service.finding(parcels[name], "unauthorised_lease", tenant=tenant, attitude=attitude)
    for name, (tenant, _, letter, flags) in cases.items():
        graded = await service.grade_becomes(parcels[name], letter, YEAR)
        assert flags <= set(graded["flags"]), name
        assert any(tenant in r["zh"] for r in graded["reasons"]), name
        assert graded["previous_grade"] == "A"


async def test_rectified_case_regrades_the_parcel(service) -> None:
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, YEAR, "400000000", "30000000")
    found_at = service.ctx.clock() - timedelta(days=30)
    await service.finding(parcel, "abandoned", at=found_at)
    d = await service.grade_becomes(parcel, "D", YEAR)
    assert [r["clause_id"] for r in d["reasons"]] == ["III.1.D"]

    await service.case(parcel, "rectified", at=service.ctx.clock())
    a = await service.grade_becomes(parcel, "A", YEAR)
    assert a["previous_grade"] == "D"
    assert any(r["code"] == "violation_rectified" and r["clause_id"] == "III.6" for r in a["reasons"])

    await service.finding(parcel, "illegal_construction")  # a new violation after the rectification
    again = await service.grade_becomes(parcel, "D", YEAR)
    assert "violation_not_named_in_grade_table" in again["flags"]


async def test_duplicate_events_change_nothing(service, infra) -> None:
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    filing = await service.filing(parcel, holder, YEAR, "100000000", "1000000")
    await service.grade_becomes(parcel, "B", YEAR)
    finding = await service.finding(
        parcel, "unauthorised_lease", tenant=service.uscc(), attitude="cooperating_with_renewal"
    )
    await service.grade_becomes(parcel, "C", YEAR)

    async def history() -> int:
        """The parcel's evaluations; what it announced is read from Kafka below (the relay deletes
        the outbox rows it has published, so counting them would race it)."""
        async with service.ctx.storage.db.sessions() as session:
            rows = await session.scalar(
                select(func.count()).select_from(evaluations).where(evaluations.c.parcel_id == parcel)
            )
        return int(rows or 0)

    before = await history()
    await service.send_envelope(filing, parcel)  # the very same events again (redelivery)
    await service.send_envelope(finding, parcel)
    await service.filing(parcel, holder, YEAR, "100000000", "1000000")  # new id, same facts
    marker = pid()  # an event after the duplicates: once it is graded, they have been consumed
    await service.parcel(marker, holder)
    await service.finding(marker, "litigation")
    await service.grade_becomes(marker, "D")
    assert await history() == before
    graded = await service.grade(parcel, YEAR)
    assert graded is not None and graded["grade"] == "C"
    events = await read_events(infra.bootstrap, GRADES, lambda e: e.subject == parcel, count=4, timeout=5)
    # Registered (B, no filing yet) and filed (B on its numbers) — in either order, as they travel on
    # two topics, the registration announcing nothing when the filing came first — then found
    # leasing (C); the duplicates announce nothing more.
    grades = [e.data["grade"] for e in events]
    assert grades in (["B", "B", "C"], ["B", "C"])
    assert "no_filing" not in events[-2].data["flags"]


async def test_a_registered_parcel_has_a_provisional_grade_for_the_current_year(service, infra) -> None:
    # Regression: a registered parcel had no grade at all (404) until a filing or the yearly run.
    parcel = pid()
    registered = await service.parcel(parcel, service.uscc())
    graded = await service.grade_becomes(parcel, "B")
    assert (graded["year"], graded["status"], graded["flags"]) == (YEAR, "provisional", ["no_filing"])
    assert graded["reasons"][0]["setting"] == "gaps.no_filing_grade = B"
    assert graded["trigger_event_id"] == registered.id
    [event] = await read_events(infra.bootstrap, GRADES, lambda e: e.subject == parcel, count=1)
    assert (event.data["year"], event.data["grade"], event.data["status"]) == (YEAR, "B", "provisional")
