"""The whole loop, end to end: four services as separate processes on real Kafka and PostgreSQL,
driven only through their REST APIs and Kafka topics.

Each scenario uses its own evaluation year, so a yearly run in one never grades another's parcels.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from decimal import Decimal as D

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from landgrade.testing import eventually, read_events
from landgrade.testing_stack import Stack
from tests.e2e.outside import Outside, auth, held, new_person, new_uscc, quarterly

pytestmark = pytest.mark.e2e
GRADES = "landgrade.evaluation.grades.v1"
LISTED = {"green_channel", "key_service_list"}


def _pid() -> str:
    return f"E2E-{uuid.uuid4().hex[:8]}"


async def _holder_with_related_party(o: Outside) -> tuple[str, str]:
    """A rights holder whose responsible person also runs another enterprise (a related party)."""
    holder, related, person = new_uscc(), new_uscc(), new_person()
    await o.enterprise(holder, f"北京亦庄测试制造有限公司{holder[-4:]}", person)
    await o.enterprise(related, f"北京亦庄关联科技有限公司{related[-4:]}", person)
    return holder, related


# The parcel is also provisionally B for the services' current year from its registration on (no
# filing yet): that B takes nothing from what the story's final grade brings.
async def test_a_tax_batch_lifts_b_to_a_and_the_final_grade_brings_incentives_and_the_public_list(
        stack: Stack) -> None:
    o, year, pid = Outside(stack), 2031, _pid()
    holder, related = await _holder_with_related_party(o)
    await o.parcel(pid, holder)  # 1 ha
    await o.filings_batch(quarterly(holder, pid, year, D("25000000"), D("1250000"), range(1, 2)))
    b = await o.wait_grade(pid, "B", year, "provisional")
    assert any("3亿元/公顷" in r["zh"] for r in b["reasons"])

    # Q2–Q4 bring the year to 3.25亿 output and 2225万 tax on one hectare: above both thresholds.
    result = await o.filings_batch(quarterly(holder, pid, year, D("100000000"), D("7000000"), range(2, 5)))
    assert result["accepted"] == 3
    a = await o.wait_grade(pid, "A", year, "provisional")
    assert a["ruleset_id"] == "etown-2024-draft"
    [event] = await read_events(stack.bootstrap, GRADES, lambda e: e.subject == pid and e.data["grade"] == "A")
    assert (event.data["previous_grade"], event.data["status"], event.data["holder_uscc"]) == ("B", "provisional", holder)
    assert event.type == "landgrade.evaluation.parcel_graded.v1" and event.source == "/landgrade/evaluation"

    # A provisional A grants nothing: benefits follow final grades.
    assert "incentive_priority" not in held(await o.benefits(holder))

    await o.yearly_run_to_final(year)
    for code in (holder, related):
        got = await o.wait_benefits(code, lambda b: {"incentive_priority", *LISTED} <= held(b))
        assert got["green_channel"] and not got["restricted"]

    public = await o.ok(await o.http.get(f"{stack.credit}/v1/public/quality-holders", params={"year": year}))
    assert {"uscc": holder, "parcel_id": pid, "year": year} in [
        {k: i[k] for k in ("uscc", "parcel_id", "year")} for i in public["items"]]
    assert related not in {i["uscc"] for i in public["items"]}  # the list names holders of A parcels


async def test_a_refused_unauthorised_lease_grades_d_opens_a_case_revokes_benefits_and_rectification_regrades(
        stack: Stack) -> None:
    o, year, pid, street = Outside(stack), 2032, _pid(), "博兴街道"
    holder, related = await _holder_with_related_party(o)
    tenant = new_uscc()
    await o.enterprise(tenant, f"北京外来租户商贸有限公司{tenant[-4:]}", new_person())  # no equity link
    await o.parcel(pid, holder, street=street)
    await o.filings_batch(quarterly(holder, pid, year, D("30000000"), D("1500000")))
    await o.wait_grade(pid, "B", year)
    await o.yearly_run_to_final(year)
    for code in (holder, related):
        await o.wait_benefits(code, lambda b: LISTED <= held(b))

    elsewhere = await o.inspect("荣华街道", pid, [{"type": "no_issue"}])
    assert elsewhere.status_code == 403, elsewhere.text  # another street's inspector

    finding = {"type": "unauthorised_lease", "tenant_uscc": tenant, "holder_attitude": "refuses_to_correct",
               "note": "厂房二层整层出租"}
    assert (await o.inspect(street, pid, [finding])).status_code in (200, 201, 202)
    # The story's year is final: the finding grades the services' current year D (provisional),
    # which acts at once, as a violation does.
    d = await o.wait_grade(pid, "D")
    assert any(r["code"].startswith("unauthorised_lease") or "出租" in r["zh"] for r in d["reasons"])

    case = await o.case_of(pid, "enforcement")
    assert case["state"] == "opened"
    for code in (holder, related):  # a downgrade revokes at once, provisional or not
        await o.wait_benefits(code, lambda b: not (LISTED & held(b)))

    for state in ("inspecting", "plan_issued", "rectifying", "rectified"):
        case = await o.move_case(case["case_id"], state, f"整改进展: {state}")
    await o.wait_grade(pid, "B")  # 重新评价分级: the rectified lease no longer counts

    async def closed() -> dict | None:
        r = await o.ok(await o.http.get(f"{stack.enforcement}/v1/cases/{case['case_id']}",
                                        headers=auth("enforcement-staff")))
        return r if r["state"] == "closed" else None

    detail = await eventually(closed, timeout=60)
    assert [t["to_state"] for t in detail["timeline"]][-2:] == ["rectified", "closed"]

    async def history_complete() -> dict | None:
        file = await o.credit_file(holder)
        reasons = " ".join(r["reason"] for r in file["records"])
        return file if all(s in reasons for s in ("opened", "rectified", "closed")) else None

    file = await eventually(history_complete, timeout=60)
    grades = [r["grade"] for r in file["records"] if r["kind"] == "grade"]
    assert "B" in grades  # the final B the year started from
    assert "110" not in str(file["responsible_persons"])  # no ID number in a non-admin read


async def test_a_cooperating_holder_grades_c_and_gets_a_renewal_guidance_case(stack: Stack) -> None:
    o, year, pid, street = Outside(stack), 2033, _pid(), "亦庄镇"
    holder, _ = await _holder_with_related_party(o)
    tenant = new_uscc()
    await o.enterprise(tenant, f"北京临时仓储有限公司{tenant[-4:]}", new_person())
    await o.parcel(pid, holder, street=street)
    await o.filings_batch(quarterly(holder, pid, year, D("30000000"), D("1500000")))
    await o.wait_grade(pid, "B", year)
    finding = {"type": "unauthorised_lease", "tenant_uscc": tenant, "holder_attitude": "cooperating_with_renewal"}
    assert (await o.inspect(street, pid, [finding])).status_code in (200, 201, 202)
    c = await o.wait_grade(pid, "C", year)
    assert c["status"] == "provisional"
    case = await o.case_of(pid, "renewal_guidance")
    assert case["state"] == "opened" and case["street"] in (street, "yizhuang")
    case = await o.move_case(case["case_id"], "briefed", "政策宣讲已完成")
    assert case["state"] == "briefed"


async def test_a_filing_from_an_enterprise_not_on_the_parcel_becomes_a_task_for_that_street_only(
        stack: Stack) -> None:
    o, year, pid, street = Outside(stack), 2034, _pid(), "马驹桥镇"
    holder, _ = await _holder_with_related_party(o)
    occupant = new_uscc()
    await o.enterprise(occupant, f"北京不明入驻企业有限公司{occupant[-4:]}", new_person())
    await o.parcel(pid, holder, street=street)
    await o.filings_batch(quarterly(holder, pid, year, D("30000000"), D("1500000"), range(1, 2)))
    await o.filings_batch(quarterly(occupant, pid, year, D("5000000"), D("200000"), range(1, 2)))

    [task] = await eventually(lambda: o.tasks_for(street, pid), timeout=60)
    assert task["suspected_uscc"] == occupant and task["status"] == "open"
    assert await o.tasks_for("荣华街道", pid) == []

    output = await o.ok(await o.http.get(f"{stack.registry}/v1/parcels/{pid}/output", params={"year": year},
                                         headers=auth("land-staff")))
    assert D(str(output["output_value"])) == D("30000000")  # the occupant's output is not the parcel's


async def test_an_unapproved_lease_and_an_unknown_filer_are_on_the_timeline_and_briefed_to_the_street_until_approved(
        stack: Stack) -> None:
    o, year, pid, street = Outside(stack), 2036, _pid(), "瀛海镇"
    holder, tenant, occupant = new_uscc(), new_uscc(), new_uscc()
    for code, name in ((holder, "北京亦庄精密制造有限公司"), (tenant, "北京未批租户科技有限公司"),
                       (occupant, "北京不明入驻商贸有限公司")):
        await o.enterprise(code, f"{name}{code[-4:]}", new_person())
    await o.parcel(pid, holder, street=street)
    lease_id = f"L-{uuid.uuid4().hex[:6]}"
    await o.lease(pid, lease_id, tenant, 2_000, f"{year}-01-01")  # not approved
    await o.filings_batch(quarterly(occupant, pid, year, D("5000000"), D("200000"), range(1, 2)))

    async def on_timeline() -> dict[str, dict] | None:
        found = {e["kind"]: e for e in await o.timeline(pid)}
        return found if {"holder_recorded", "lease_registered", "suspected_occupant"} <= found.keys() else None

    entries = await eventually(on_timeline, timeout=60)
    leased = entries["lease_registered"]
    assert (leased["uscc"], leased["lease_id"], leased["approved"]) == (tenant, lease_id, False)
    assert "未经批准" in leased["zh"]
    assert entries["suspected_occupant"]["uscc"] == occupant and entries["suspected_occupant"]["zh"].startswith(
        "疑似占用")

    # Each becomes a task for the parcel's street office, briefed in Chinese: why, and what to do.
    tasks = await eventually(lambda: _two(o.tasks_for(street, pid)), timeout=60)
    by_uscc = {t["suspected_uscc"]: t for t in tasks}
    assert by_uscc.keys() == {tenant, occupant} and {t["street_name"] for t in tasks} == {street}
    by_lease = by_uscc[tenant]
    assert by_lease["lease_id"] == lease_id and by_lease["filing_id"] == ""
    assert by_lease["why"].startswith("未经批准的租赁登记") and lease_id in by_lease["why"] and tenant in by_lease["why"]
    by_filing = by_uscc[occupant]
    assert by_filing["lease_id"] is None and by_filing["filing_id"] in by_filing["why"]
    assert by_filing["why"].startswith("税务申报") and occupant in by_filing["why"]
    assert all("请到现场核查" in t["why"] for t in tasks)

    # The lease approved: its task is withdrawn, saying so first; the unknown filer's stays open.
    await o.lease(pid, lease_id, tenant, 2_000, f"{year}-01-01", approved=True)
    [still] = await eventually(lambda: _one(o.tasks_for(street, pid)), timeout=60)
    assert still["task_id"] == by_filing["task_id"]
    withdrawn = await o.ok(await o.http.get(f"{stack.enforcement}/v1/inspection-tasks", params={"status": "withdrawn"},
                                            headers=auth("street-office", jurisdiction=street)))
    [gone] = [t for t in withdrawn["items"] if t["task_id"] == by_lease["task_id"]]
    assert gone["why"].startswith("已撤回") and gone["approval_lease_id"] == lease_id


async def _one(tasks: Awaitable[list[dict]]) -> list[dict] | None:
    found = await tasks
    return found if len(found) == 1 else None


async def _two(tasks: Awaitable[list[dict]]) -> list[dict] | None:
    found = await tasks
    return found if len(found) == 2 else None


async def test_resent_requests_and_redelivered_events_change_nothing(stack: Stack) -> None:
    o, year, pid, street = Outside(stack), 2035, _pid(), "台湖镇"
    holder, related = await _holder_with_related_party(o)
    tenant = new_uscc()
    await o.enterprise(tenant, f"北京转租物流有限公司{tenant[-4:]}", new_person())
    await o.parcel(pid, holder, street=street)
    filings = quarterly(holder, pid, year, D("90000000"), D("6000000"))
    await o.filings_batch(filings)
    await o.wait_grade(pid, "A", year)
    await o.yearly_run_to_final(year)
    await o.wait_benefits(related, lambda b: "incentive_priority" in held(b))
    inspection_id = f"INS-{uuid.uuid4().hex[:8]}"
    finding = [{"type": "unauthorised_lease", "tenant_uscc": tenant, "holder_attitude": "refuses_to_correct"}]
    await o.inspect(street, pid, finding, inspection_id=inspection_id)
    await o.wait_grade(pid, "D")  # the current year's: the story's year is final
    await o.case_of(pid, "enforcement")
    await o.wait_benefits(holder, lambda b: not (LISTED & held(b)))
    await asyncio.sleep(3)  # let every consumer settle before taking the snapshot
    before = await _snapshot(o, stack, pid, holder, related)

    again = await o.filings_batch(filings)
    assert {k: again[k] for k in ("accepted", "revised", "duplicate", "rejected")} == {
        "accepted": 0, "revised": 0, "duplicate": 4, "rejected": 0}
    assert (await o.inspect(street, pid, finding, inspection_id=inspection_id)).status_code == 200
    await o.parcel(pid, holder, street=street)
    redelivered = await _redeliver(stack.bootstrap, pid)
    assert redelivered >= 3
    await asyncio.sleep(8)  # redeliveries pass through three consumers; nothing may change
    assert await _snapshot(o, stack, pid, holder, related) == before


async def _snapshot(o: Outside, stack: Stack, pid: str, holder: str, related: str) -> dict:
    history = await o.ok(await o.http.get(f"{stack.evaluation}/v1/parcels/{pid}/grades",
                                          headers=auth("credit-platform")))
    cases = await o.ok(await o.http.get(f"{stack.enforcement}/v1/cases", params={"parcel_id": pid},
                                        headers=auth("enforcement-staff")))
    return {
        "grades": [(g["grade"], g["status"], g["evaluated_at"]) for g in history["items"]],
        "cases": sorted((c["case_id"], c["state"]) for c in cases["items"]),
        "holder_records": [r["record_id"] for r in (await o.credit_file(holder))["records"]],
        "related_records": [r["record_id"] for r in (await o.credit_file(related))["records"]],
        "holder_benefits": (await o.benefits(holder))["history"],
        "related_benefits": (await o.benefits(related))["history"],
    }


async def _redeliver(bootstrap: str, pid: str) -> int:
    """Publishes every event about the parcel again, byte for byte, as a broker redelivery would."""
    topics = ["landgrade.registry.parcels.v1", "landgrade.registry.revenue.v1", "landgrade.enforcement.findings.v1",
              "landgrade.enforcement.cases.v1", GRADES]
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await consumer.start()
    found = []
    try:  # read everything first: the copies go to the same topics
        idle = 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=500)
            idle = 0 if batch else idle + 1
            found += [r for records in batch.values() for r in records if r.key == pid.encode()]
    finally:
        await consumer.stop()
    await producer.start()
    try:
        for r in found:
            await producer.send_and_wait(r.topic, r.value, key=r.key, headers=list(r.headers))
    finally:
        await producer.stop()
    return len(found)


async def test_a_transfer_leaves_the_year_before_with_the_old_holder_and_a_person_who_left_is_not_reached(
        stack: Stack) -> None:
    """转让 dated 2038-03-01: 2037's grade, credit records and benefits stay with the old holder and
    its related party; 2038's go to the new holder. The new holder's responsible person who left
    as of 2037-06-30 (the business registry says so, dated) is not reached for 2038, nor his other
    enterprise."""
    o, pid = Outside(stack), _pid()
    old, old_related = await _holder_with_related_party(o)
    new, gone_related = await _holder_with_related_party(o)  # the person they share leaves `new`
    stays = new_person()
    await o.enterprises_batch([{
        "uscc": new, "name": f"北京亦庄测试制造有限公司{new[-4:]}", "effective_on": "2037-06-30",
        "reference": "工商变更 2037-0630", "reason": "法定代表人变更",
        "responsible_persons": [{"name": stays["name"], "role": "legal_representative",
                                 "id_number": stays["id_number"]}]}])
    await o.parcel(pid, old)  # 1 ha
    await o.filings_batch(quarterly(old, pid, 2037, D("100000000"), D("7000000")))
    await o.wait_grade(pid, "A", 2037)
    await o.yearly_run_to_final(2037)
    for code in (old, old_related):
        await o.wait_benefits(code, lambda b: {"incentive_priority", *LISTED} <= held(b))

    await o.transfer(pid, new, "2038-03-01")
    await o.filings_batch(quarterly(new, pid, 2038, D("100000000"), D("7000000")))
    graded = await o.wait_grade(pid, "A", 2038)
    assert graded["holder_uscc"] == new
    assert (await o.grade(pid, 2037))["holder_uscc"] == old  # the year before the transfer stays the old holder's
    for code in (old, old_related):  # a provisional grade of the new holder's year takes nothing from 2037's
        assert {"incentive_priority", *LISTED} <= held(await o.benefits(code))

    await o.yearly_run_to_final(2038)
    await o.wait_benefits(new, lambda b: {"incentive_priority", *LISTED} <= held(b))
    assert not held(await o.benefits(gone_related))  # related to `new` only until 2037-06-30
    await o.wait_benefits(old, lambda b: not held(b))  # 2038's final grade is the new holder's
    years = {code: {(r["year"], r["grade"]) for r in (await o.credit_file(code))["records"] if r["kind"] == "grade"}
             for code in (old, old_related, new, gone_related)}
    assert years == {old: {(2037, "A")}, old_related: {(2037, "A")}, new: {(2038, "A")}, gone_related: set()}
