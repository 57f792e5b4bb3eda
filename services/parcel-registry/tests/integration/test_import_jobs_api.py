"""Large sheets become import jobs: 202, then polled; their state is in the database, so any
replica answers for them and finishes one whose holder stopped."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from landgrade.testing import eventually, serving, token
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings

pytestmark = pytest.mark.infra

WRITE, READ = token("parcels:write", subject="clerk-wang"), token("registry:read")
CSV = WRITE | {"content-type": "text/csv"}
JOBS = {"import_job_min_rows": 3, "import_job_poll_seconds": 0.1, "import_job_heartbeat_seconds": 0.2,
        "import_job_stale_seconds": 1.0}


def sheet(prefix: str, holder: str, rows: int, bad_area_every: int = 0) -> bytes:
    lines = ["宗地编号,名称,街道/镇,面积(平方米),类别,产权人统一社会信用代码"]
    for n in range(rows):
        area = "-5" if bad_area_every and n % bad_area_every == 0 else str(1000 + n)
        lines.append(f"{prefix}-{n},地块{n},荣华街道,{area},自用,{holder}")
    return ("\n".join(lines) + "\n").encode()


async def finished(client: httpx.AsyncClient, location: str, headers: dict[str, str] = WRITE) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        job: dict[str, Any] = (await client.get(location, headers=headers)).json()
        return job if job["state"] in ("succeeded", "failed") else None

    result: dict[str, Any] = await eventually(done, timeout=30)
    return result


async def test_a_big_sheet_is_a_job_that_imports_every_parcel(
    make_settings: Callable[..., Awaitable[Settings]], new_uscc: Callable[[], str]
) -> None:
    settings = await make_settings(Settings, MIGRATIONS, **JOBS)
    prefix, holder = f"J{uuid.uuid4().hex[:6]}", new_uscc()
    async with serving(build_app(settings)) as client:
        small = await client.post("/v1/parcels/import", content=sheet(prefix + "s", holder, 2), headers=CSV)
        assert small.status_code == 200 and small.json()["imported"] == 2  # small sheets answer at once

        files = {"file": ("台账.csv", sheet(prefix, holder, 40), "text/csv")}
        sent = await client.post("/v1/parcels/import", files=files, headers=WRITE)
        assert sent.status_code == 202, sent.text
        location = sent.headers["location"]
        assert location == f"/v1/parcels/import-jobs/{sent.json()['job_id']}"
        assert sent.json()["state"] in ("queued", "running") and sent.json()["file_name"] == "台账.csv"

        job = await finished(client, location)
        assert job["state"] == "succeeded", job
        assert job["result"] == {"imported": 40, "created": 40, "updated": 0, "unchanged": 0}
        assert job["requested_by"] == "clerk-wang" and len(job["sha256"]) == 64
        got = (await client.get(f"/v1/parcels/{prefix}-39", headers=READ)).json()
        assert got["area_m2"] == "1039"

        keyed = CSV | {"Idempotency-Key": "k-1"}
        first = await client.post("/v1/parcels/import", content=sheet(prefix + "k", holder, 5), headers=keyed)
        again = await client.post("/v1/parcels/import", content=sheet(prefix + "k", holder, 5), headers=keyed)
        assert first.status_code == again.status_code == 202
        assert again.json()["job_id"] == first.json()["job_id"]  # the same job, not a second one
        small_key = CSV | {"Idempotency-Key": "k-2"}
        for _ in range(2):  # a small sheet's answer is replayed too
            answer = await client.post("/v1/parcels/import", content=sheet(prefix + "t", holder, 1), headers=small_key)
            assert answer.status_code == 200 and answer.json()["created"] == 1

        mine = (await client.get("/v1/parcels/import-jobs", headers=WRITE)).json()["items"]
        assert [j["job_id"] for j in mine] == [first.json()["job_id"], job["job_id"]]
        other = token("parcels:write", subject="clerk-li")
        assert (await client.get("/v1/parcels/import-jobs", headers=other)).json()["items"] == []


async def test_a_bad_big_sheet_fails_with_every_problem_counted(
    make_settings: Callable[..., Awaitable[Settings]], new_uscc: Callable[[], str]
) -> None:
    settings = await make_settings(Settings, MIGRATIONS, import_max_listed_problems=5, **JOBS)
    prefix = f"F{uuid.uuid4().hex[:6]}"
    async with serving(build_app(settings)) as client:
        sent = await client.post("/v1/parcels/import", content=sheet(prefix, new_uscc(), 30, 3), headers=CSV)
        assert sent.status_code == 202, sent.text
        job = await finished(client, sent.headers["location"])
        assert job["state"] == "failed" and job["problems_total"] == 10
        assert len(job["problems"]) == 5
        first = job["problems"][0]
        assert (first["row"], first["column"], first["field"]) == (2, "面积(平方米)", "area_m2")
        assert first["message"] == "面积必须大于 0 平方米"
        english = (await client.get(sent.headers["location"], headers=WRITE | {"Accept-Language": "en"})).json()
        assert english["problems"][0]["message"] == "must be greater than 0 m²"
        assert (await client.get(f"/v1/parcels/{prefix}-1", headers=READ)).status_code == 404


async def test_a_job_left_by_a_stopped_replica_is_finished_by_another(
    make_settings: Callable[..., Awaitable[Settings]], new_uscc: Callable[[], str]
) -> None:
    settings = await make_settings(Settings, MIGRATIONS, **JOBS | {"import_job_worker": False})
    prefix = f"T{uuid.uuid4().hex[:6]}"
    async with serving(build_app(settings)) as client:  # a replica that only answers HTTP
        sent = await client.post("/v1/parcels/import", content=sheet(prefix, new_uscc(), 10), headers=CSV)
        assert sent.status_code == 202
        job_id = sent.json()["job_id"]
    engine = create_async_engine(settings.database_url)
    try:  # a replica claimed it and then stopped: its last heartbeat is a minute old
        async with engine.begin() as conn:
            await conn.execute(text(
                "UPDATE import_jobs SET state = 'running', holder = 'stopped-replica', attempts = 1, "
                "started_at = now(), heartbeat_at = now() - interval '1 minute' WHERE job_id = :id"), {"id": job_id})
        async with serving(build_app(settings.model_copy(update={"import_job_worker": True}))) as client:
            job = await finished(client, f"/v1/parcels/import-jobs/{job_id}")
            assert job["state"] == "succeeded" and job["result"]["created"] == 10
            assert job["attempts"] == 2
            assert (await client.get(f"/v1/parcels/{prefix}-9", headers=READ)).status_code == 200
        async with engine.connect() as conn:
            holder, content = (await conn.execute(
                text("SELECT holder, content FROM import_jobs WHERE job_id = :id"), {"id": job_id})).one()
        assert holder != "stopped-replica" and content is None  # the sheet is not kept once the job ends
    finally:
        await engine.dispose()
