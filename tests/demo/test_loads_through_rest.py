"""A small demo E-Town loaded through the four services' REST APIs, as `make run` loads the
default one: every row accepted, outlines stored, parcel counts that differ by street, every grade
there, cases moved, D parcels' cases overdue, tasks open. Enforcement runs on the case history
day's clock while the history is made, then on today's (restarts, as `make run` seeds it).

It starts a stack of its own (minutes on a busy machine), so it runs with
`LANDGRADE_RELIABILITY=full`; the normal run checks every row against the services' own request
models and rules instead (`test_rows_accepted.py`)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from landgrade.demo.dataset import Dataset, generate
from landgrade.demo.loader import _auth, seed_with_case_history
from landgrade.testing import Infra
from landgrade.testing_stack import Stack, running_stack
from tests.demo.conftest import CLOCK

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.environ.get("LANDGRADE_RELIABILITY") != "full",
                                                  reason="a stack of its own: LANDGRADE_RELIABILITY=full")]
PARCELS = 40


@pytest.fixture(scope="module")
def data() -> Dataset:
    # Its own parcel ids and seed: the session's topics are shared with other stacks.
    return generate(PARCELS, seed=91, clock=CLOCK, prefix="DEMO")


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The services on the demo's clock, so that which cases are overdue does not change with the date.
    with running_stack(infra, tmp_path_factory.mktemp("demo-logs"),
                       extra_env={"CLOCK_AT": CLOCK.now().isoformat()}) as running:
        yield running


async def test_the_demo_loads_through_the_rest_apis_with_every_grade_and_its_cases(stack: Stack,
                                                                                   data: Dataset) -> None:
    await seed_with_case_history(data, stack.registry, stack.enforcement, stack.evaluation,
                                 lambda env: stack.restart("enforcement", env))
    admin = _auth("admin")

    async with httpx.AsyncClient(base_url=stack.registry, headers=admin, timeout=30) as registry:
        parcel = data.parcels[0]
        stored = (await registry.get(f"/v1/parcels/{parcel['parcel_id']}")).json()
        assert stored["geometry"] == parcel["geometry"]
        per_street = Counter[str]()
        for street in sorted({p["street"] for p in data.parcels}):
            listed = (await registry.get("/v1/parcels", params={"street": street, "limit": 500})).json()
            per_street[street] = sum(1 for p in listed["items"] if p["parcel_id"].startswith("DEMO-"))
        assert per_street.total() == PARCELS
        assert len(set(per_street.values())) > 1, per_street

    async with httpx.AsyncClient(base_url=stack.evaluation, headers=admin, timeout=30) as evaluation:
        seen: set[str] = set()
        for year in data.calendar.years:
            response = await evaluation.get("/v1/grades/summary", params={"year": year})
            if response.status_code == 200:
                seen |= {g for g, n in response.json().get("by_grade", {}).items() if n}
        assert seen == {"A", "B", "C", "D"}
        states = {}
        for year in (*data.calendar.final_years, data.calendar.open_year):
            runs = (await evaluation.get("/v1/evaluation-runs", params={"year": year})).json()["items"]
            states[year] = {r["state"] for r in runs}
        assert states == {**{y: {"final"} for y in data.calendar.final_years}, data.calendar.open_year: {"published"}}
        graded_d: set[str] = set()
        for year in (data.calendar.open_year, data.calendar.current_year):
            response = await evaluation.get("/v1/grades", params={"grade": "D", "year": year, "limit": 1000})
            if response.status_code == 200:
                graded_d |= {g["parcel_id"] for g in response.json()["items"]}
        assert graded_d

    async with httpx.AsyncClient(base_url=stack.enforcement, headers=admin, timeout=30) as enforcement:
        cases = (await enforcement.get("/v1/cases", params={"limit": 500})).json()["items"]
        assert any(c["kind"] == "enforcement" for c in cases)
        planned = {c["parcel_id"]: c["moves"][-1]["to"] for c in data.cases if c["moves"]}
        moved = [c for c in cases if planned.get(c["parcel_id"]) == c["state"]]
        assert moved, "no case was moved as planned"
        overdue = (await enforcement.get("/v1/cases", params={"overdue": "true", "kind": "enforcement",
                                                                "limit": 500})).json()["items"]
        assert overdue and all(c["overdue"] for c in overdue)
        assert {c["parcel_id"] for c in overdue} & graded_d, "no D parcel's enforcement case is overdue"
        # Each case where its plan left it is overdue exactly as planned: left since the case
        # history day past its comply-by date; moved today, or referred to legal proceedings, not.
        open_now = {(c["parcel_id"], c["kind"]): c for c in cases if c["state"] != "closed"}
        as_planned = [(plan, open_now[(plan["parcel_id"], plan["kind"])]) for plan in data.cases
                      if open_now.get((plan["parcel_id"], plan["kind"]), {}).get("state")
                      == (plan["moves"][-1]["to"] if plan["moves"] else "opened")]
        assert {plan["overdue"] for plan, _ in as_planned} == {True, False}
        assert [(p["parcel_id"], p["kind"], c["overdue"]) for p, c in as_planned] == [
            (p["parcel_id"], p["kind"], p["overdue"]) for p, _ in as_planned]
        tasks = (await enforcement.get("/v1/inspection-tasks")).json()["items"]
        assert any(t["status"] == "open" for t in tasks)
        lawful = {p["parcel_id"]: {p["rights_holder"]} for p in data.parcels}
        for lease in data.leases:
            if lease["approved"]:
                lawful[lease["parcel_id"]].add(lease["tenant_uscc"])
        occupied = {f["parcel_id"] for f in data.filings if f["uscc"] not in lawful[f["parcel_id"]]}
        assert occupied and {t["parcel_id"] for t in tasks} >= occupied
