"""Policy edges through the API on real PostgreSQL and Kafka: dated facts stay in their year, a
final year is final (re-evaluation is the one explicit way to change it), years need a ruleset,
and objection windows count working days on China's official calendar."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from evaluation.service_layer.publication import BEIJING
from landgrade.testing import eventually, read_events, token
from landgrade_events.evaluation import GRADES_BULK

CLOCK_AT = datetime(2026, 6, 15, 10, 0)  # Beijing: 2026 is the current year here
PROBLEMS = "https://landgrade.example/problems/"
ADMIN, READ, RUNS = token("admin"), token("grades:read"), token("runs:write")
LAND = token("parcels:write", "registry:read", "grades:read", "runs:write", "objections:decide", "grades:reevaluate",
             subject="land-staff-7")
EN = {"Accept-Language": "en"}
FIRST = 90  # s: a fresh consumer group's first event waits for the group to form (long on a busy machine)


def pid() -> str:
    return f"E-{uuid.uuid4().hex[:10]}"


def problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEMS + kind, body
    return body


async def run_to_draft(service: Any, year: int) -> dict[str, Any]:
    started = await service.client.post("/v1/evaluation-runs", json={"year": year}, headers=RUNS)
    assert started.status_code == 202, started.text

    async def drafted() -> dict[str, Any] | None:
        run: dict[str, Any] = (await service.client.get(f"/v1/evaluation-runs/{started.json()['id']}",
                                                        headers=READ)).json()
        return run if run["state"] in ("draft", "failed") else None

    run: dict[str, Any] = await eventually(drafted, timeout=60)
    assert run["state"] == "draft", run
    return run


async def test_a_flag_since_2026_leaves_2025_alone_and_moves_2026(service) -> None:
    # Regression: a litigation flag "since 2026-03-01" turned 2025 to D.
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    for year in (2025, 2026):
        await service.filing(parcel, holder, year, "900000000", "90000000")
        await service.grade_becomes(parcel, "A", year, timeout=FIRST)
    await service.parcel(parcel, holder, version=2,
                         flags=[{"kind": "litigation", "since": "2026-03-01", "source": "court"}])
    d = await service.grade_becomes(parcel, "D", 2026)
    assert d["reasons"][0]["code"] == "litigation"
    # Both years were re-graded in the same transaction as 2026: 2025 had nothing to change.
    history = (await service.client.get(f"/v1/parcels/{parcel}/grades", params={"year": 2025},
                                        headers=READ)).json()["items"]
    assert [h["grade"] for h in history] == ["A"]
    run = await run_to_draft(service, 2025)  # the yearly run agrees
    assert (await service.grade(parcel, 2025))["grade"] == "A" and run["graded"] >= 1


async def test_a_final_year_is_final_and_re_evaluation_corrects_it(service, infra) -> None:
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, 2025, "900000000", "90000000")
    await service.grade_becomes(parcel, "A", 2025, timeout=FIRST)
    run = await run_to_draft(service, 2025)
    url = f"/v1/evaluation-runs/{run['id']}"

    # Recording a publication made earlier is admin's, and never on a day to come.
    problem(await service.client.post(f"{url}/publish", json={"published_on": "2026-06-01"}, headers=RUNS),
            403, "published-on-needs-admin")
    future = problem(await service.client.post(f"{url}/publish", json={"published_on": "2026-06-16"}, headers=ADMIN),
                     422, "published-on-in-future")
    assert [e["field"] for e in future["errors"]] == ["published_on"]
    short = problem(await service.client.post(f"{url}/publish", json={"objection_window_days": 2}, headers=RUNS),
                    422, "objection-window-too-short")
    assert [e["field"] for e in short["errors"]] == ["objection_window_days"] and short["minimum"] == 5
    published = (await service.client.post(f"{url}/publish", json={}, headers=RUNS)).json()
    # Monday 15 June 2026: five working days after it, Friday 19 June is the Dragon Boat holiday.
    assert (published["objection_window_days"], published["objection_last_day"]) == (5, "2026-06-23")
    problem(await service.client.post(f"{url}/finalize", headers=RUNS), 409, "objection-window-open")
    opened = service.ctx.clock()
    service.ctx.clock = lambda: opened + timedelta(days=14)
    assert (await service.client.post(f"{url}/finalize", headers=RUNS)).json()["state"] == "final"

    problem(await service.client.post(f"{url}/finalize", headers=RUNS), 409, "already-final")
    rerun = problem(await service.client.post("/v1/evaluation-runs", json={"year": 2025}, headers=RUNS),
                    409, "year-final")
    assert "重新评价" in rerun["detail"]
    assert (await service.grade(parcel, 2025))["status"] == "final"

    # A violation found back in 2025 reaches the current year at once, never the final 2025.
    await service.finding(parcel, "illegal_construction", at=datetime(2025, 12, 1, 10, tzinfo=BEIJING))
    await service.grade_becomes(parcel, "D", 2026)
    assert (await service.grade(parcel, 2025))["grade"] == "A"

    body = {"year": 2025, "reason": "街道巡查发现2025年违法建设，依规重新评价"}
    assert (await service.client.post("/v1/re-evaluations", json=body, headers=RUNS)).status_code == 403
    missing = await service.client.post("/v1/re-evaluations", json={"year": 2025, "reason": " "}, headers=LAND)
    assert missing.status_code == 422 and [e["field"] for e in missing.json()["errors"]] == ["reason"]
    problem(await service.client.post("/v1/re-evaluations", json={**body, "year": 2026}, headers=LAND),
            409, "year-not-final")
    # Parcels are data: one the year does not hold is a conflict with what is stored, and nothing changes.
    unknown = problem(await service.client.post("/v1/re-evaluations", json={**body, "parcel_ids": [parcel, "E-none"]},
                                                 headers=LAND), 409, "unknown-parcel")
    assert [e["field"] for e in unknown["errors"]] == ["parcel_ids"] and "E-none" in unknown["detail"]
    assert (await service.grade(parcel, 2025))["grade"] == "A"
    done = await service.client.post("/v1/re-evaluations", json=body, headers=LAND)
    assert done.status_code == 201, done.text
    record = done.json()
    assert (record["requested_by"], record["reason"], record["changed"]) == ("land-staff-7", body["reason"], 1)
    assert record["changes"][0]["parcel_id"] == parcel and record["changes"][0]["from"] == "A"
    corrected = await service.grade(parcel, 2025)
    assert (corrected["grade"], corrected["status"], corrected["re_evaluation_id"]) == ("D", "final", record["id"])
    listed = (await service.client.get("/v1/re-evaluations", params={"year": 2025}, headers=READ)).json()
    assert [r["id"] for r in listed["items"]] == [record["id"]] and listed["items"][0]["requested_at"]

    [event] = await read_events(infra.bootstrap, GRADES_BULK, lambda e: e.subject == parcel and e.data.get("correction"))
    assert event.data["correction"]["replaces_grade"] == "A" and event.data["correction"]["reason"] == body["reason"]
    assert (event.data["grade"], event.data["status"], event.data["year"]) == ("D", "final", 2025)


async def test_years_without_a_ruleset_are_refused_and_the_default_year_has_a_run(service) -> None:
    # Rulesets are data: a year none covers is a conflict for a write and not found for a read.
    refused = problem(await service.client.post("/v1/evaluation-runs", json={"year": 2022}, headers=RUNS),
                      409, "no-ruleset-for-year")
    assert [e["field"] for e in refused["errors"]] == ["year"]
    assert refused["covered_years"] == [2023, 2024, 2025, 2026]
    assert refused["title"] == "该年度没有评价规则" and "2023、2024" in refused["detail"]
    english = problem(await service.client.post("/v1/evaluation-runs", json={"year": 2022}, headers={**RUNS, **EN}),
                      409, "no-ruleset-for-year")
    assert english["title"] == "No ruleset for the year" and "2023, 2024" in english["errors"][0]["message"]
    for path, params in (("/v1/grades", {"year": 2022}), ("/v1/grades/summary", {"year": 2022}),
                         ("/v1/backtests", {"year": 2022, "quarter": 2})):
        read = problem(await service.client.get(path, params=params, headers=LAND), 404,
                       "no-ruleset-for-year")
        assert read["covered_years"] == [2023, 2024, 2025, 2026] and "2023、2024" in read["detail"], path
    assert (await service.client.get("/v1/evaluation-runs", params={"year": 2022}, headers=READ)).json()["items"] == []

    # Before any run the default year is the current one; afterwards, the latest year with a run,
    # not the largest year anyone filed for.
    assert (await service.client.get("/v1/grades", headers=READ)).json()["year"] == 2026
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, 2030, "900000000", "90000000")
    await service.grade_becomes(parcel, "A", 2030, timeout=FIRST)
    await run_to_draft(service, 2024)
    assert (await service.client.get("/v1/grades", headers=READ)).json()["year"] == 2024
    assert (await service.client.get("/v1/grades/summary", headers=READ)).json()["year"] == 2024


async def test_the_objection_window_skips_the_national_day_holiday(service) -> None:
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, 2024, "241000000", "25000000")
    await service.grade_becomes(parcel, "B", 2024, timeout=FIRST)
    run = await run_to_draft(service, 2024)
    # Monday 29 September 2025: 30 September works, 1–8 October are off, Saturday 11 October works.
    service.ctx.clock = lambda: datetime(2025, 9, 29, 15, 0, tzinfo=BEIJING)
    published = await service.client.post(f"/v1/evaluation-runs/{run['id']}/publish", json={}, headers=RUNS)
    assert published.status_code == 200, published.text
    assert published.json()["objection_last_day"] == "2025-10-13"
    closes = datetime.fromisoformat(published.json()["objection_deadline"])
    assert closes == datetime(2025, 10, 14, 0, 0, tzinfo=BEIJING)  # midnight after the last day
