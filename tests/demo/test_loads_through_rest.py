"""A small demo E-Town loaded through the four services' REST APIs, as `make run` loads the
default one: every row accepted, outlines stored, every grade there, cases moved, tasks open.

It starts a stack of its own (minutes on a busy machine), so it runs with
`LANDGRADE_RELIABILITY=full`; the normal run checks every row against the services' own request
models and rules instead (`test_rows_accepted.py`)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from landgrade.demo.dataset import generate
from landgrade.demo.loader import _auth, seed
from landgrade.testing import Infra
from landgrade.testing_stack import Stack, running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.environ.get("LANDGRADE_RELIABILITY") != "full",
                                                  reason="a stack of its own: LANDGRADE_RELIABILITY=full")]
PARCELS = 40


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("demo-logs")) as running:
        yield running


async def test_the_demo_loads_through_the_rest_apis_with_every_grade_and_its_cases(stack: Stack) -> None:
    # Its own parcel ids and seed: the session's topics are shared with other stacks.
    data = generate(PARCELS, seed=91, prefix="DEMO")
    await seed(data, stack.registry, stack.enforcement, stack.evaluation)
    admin = _auth("admin")

    async with httpx.AsyncClient(base_url=stack.registry, headers=admin, timeout=30) as registry:
        parcel = data.parcels[0]
        stored = (await registry.get(f"/v1/parcels/{parcel['parcel_id']}")).json()
        assert stored["geometry"] == parcel["geometry"]

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

    async with httpx.AsyncClient(base_url=stack.enforcement, headers=admin, timeout=30) as enforcement:
        cases = (await enforcement.get("/v1/cases", params={"limit": 500})).json()["items"]
        assert any(c["kind"] == "enforcement" for c in cases)
        planned = {c["parcel_id"]: c["moves"][-1]["to"] for c in data.cases if c["moves"]}
        moved = [c for c in cases if planned.get(c["parcel_id"]) == c["state"]]
        assert moved, "no case was moved as planned"
        tasks = (await enforcement.get("/v1/inspection-tasks")).json()["items"]
        lawful = {p["parcel_id"]: {p["rights_holder"]} for p in data.parcels}
        for lease in data.leases:
            if lease["approved"]:
                lawful[lease["parcel_id"]].add(lease["tenant_uscc"])
        occupied = {f["parcel_id"] for f in data.filings if f["uscc"] not in lawful[f["parcel_id"]]}
        assert occupied and {t["parcel_id"] for t in tasks} >= occupied
