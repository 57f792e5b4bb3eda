"""The yearly run: set-based, fast, and in agreement with the pure grading function."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import func, select

from evaluation.adapters.tables import current_grades, evaluations, plumbing
from evaluation.domain.grading import grade
from evaluation.domain.rulesets import load_seed_ruleset
from evaluation.synthetic import build
from landgrade.testing import read_events, token
from landgrade_events.evaluation import GRADES_BULK


async def test_yearly_run_over_10000_parcels_agrees_with_grade_parcel_by_parcel(service, infra) -> None:
    admin = token("admin")
    year, prefix = 2024, f"R{uuid.uuid4().hex[:6]}"
    data = build(10_000, year, prefix)
    async with service.ctx.storage.db.transaction() as session:
        await data.write(session)

    started = time.monotonic()
    run = await service.run_year(year, admin)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"the run took {elapsed:.1f}s"
    assert run["graded"] == run["total"] >= 10_000 and run["progress"] == 1.0

    ruleset = load_seed_ruleset()
    async with service.ctx.storage.db.sessions() as session:
        rows = (
            await session.execute(
                select(
                    evaluations.c.parcel_id,
                    evaluations.c.grade,
                    evaluations.c.flags,
                    evaluations.c.reasons,
                    evaluations.c.status,
                )
                .join(current_grades, current_grades.c.evaluation_id == evaluations.c.id)
                .where(current_grades.c.year == year, evaluations.c.parcel_id.like(f"{prefix}-%"))
            )
        ).all()
    assert len(rows) == 10_000
    for row in rows:
        expected = grade(data.facts[row.parcel_id], ruleset)
        assert row.grade == expected.grade.value, row.parcel_id
        assert sorted(row.flags) == sorted(f.value for f in expected.flags), row.parcel_id
        assert sorted(r["code"] for r in row.reasons) == sorted(r.code for r in expected.reasons), row.parcel_id
    assert {r.grade for r in rows} == {"A", "B", "C", "D"}

    events = await read_events(
        infra.bootstrap, GRADES_BULK, lambda e: e.data.get("run_id") == run["id"], count=run["changed"], timeout=120
    )
    assert len(events) == run["changed"] >= 10_000
    assert len({e.subject for e in events}) == len(events)

    again = await service.run_year(year, admin)
    # Same facts, same grades: nothing to announce for these parcels. (The run covers the whole
    # year, and the consumer may meanwhile apply other suites' events from the shared topics, so
    # the count is taken over this test's parcels only.)
    async with service.ctx.storage.db.sessions() as session:
        queued = await session.scalar(
            select(func.count())
            .select_from(plumbing.outbox)
            .where(plumbing.outbox.c.payload.contains(again["id"].encode()),
                   plumbing.outbox.c.key.like(f"{prefix}-%"))
        )
    assert queued == 0 and again["graded"] >= 10_000
    old = (await service.client.get(f"/v1/evaluation-runs/{run['id']}", headers=admin)).json()
    assert old["state"] == "superseded"


async def test_run_progress_and_errors_are_reported(service) -> None:
    admin, reader = token("admin"), token("grades:read")
    response = await service.client.post(
        "/v1/evaluation-runs", json={"year": 2024, "ruleset_id": "nope"}, headers=admin
    )
    # Rulesets are data: one not stored is a conflict with what is stored, naming the field.
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "ruleset_id"
    assert response.json()["type"] == "https://landgrade.example/problems/unknown-ruleset"
    assert (await service.client.post("/v1/evaluation-runs", json={"year": 2024}, headers=reader)).status_code == 403
    assert (await service.client.post("/v1/evaluation-runs", json={"year": 2024})).status_code == 401
    assert (await service.client.get("/v1/evaluation-runs/none", headers=reader)).status_code == 404
    keyed = {**admin, "Idempotency-Key": "run-2024-a"}
    first = await service.client.post("/v1/evaluation-runs", json={"year": 2024}, headers=keyed)
    second = await service.client.post("/v1/evaluation-runs", json={"year": 2024}, headers=keyed)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    runs = (await service.client.get("/v1/evaluation-runs", params={"year": 2024}, headers=reader)).json()
    assert len(runs["items"]) == 1


async def test_a_finished_run_and_its_publication_show_in_the_metrics(service) -> None:
    admin = token("admin")
    run = await service.run_year(2024, admin)

    def state_of(metrics: str) -> str | None:
        prefix = f'yearly_run_state{{run_id="{run["id"]}",state="'
        return next((line[len(prefix):].split('"')[0] for line in metrics.splitlines()
                     if line.startswith(prefix) and line.endswith(" 1.0")), None)

    assert state_of((await service.client.get("/metrics")).text) == "draft"
    published = await service.client.post(f"/v1/evaluation-runs/{run['id']}/publish", headers=admin)
    assert published.status_code == 200, published.text
    metrics = (await service.client.get("/metrics")).text
    assert state_of(metrics) == "published"
    assert f'yearly_run_parcels{{count="graded",run_id="{run["id"]}"}} {float(run["graded"])}' in metrics
