"""The bulk import is bounded: read and checked off the event loop (the service keeps answering),
its size and rows capped, and a refusal lists the first problems and counts them all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from landgrade.testing import serving, token
from landgrade_reference.uscc import with_check_character
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings

pytestmark = pytest.mark.infra

WRITE = token("parcels:write")
CSV = WRITE | {"content-type": "text/csv"}
HOLDER = with_check_character("91110115MA0000001")
HEADER = "宗地编号,名称,地址,街道/镇,面积(平方米),类别,产权人统一社会信用代码,承诺年产值,承诺年税收,承诺起始年度\n"


def large_sheet(size: int) -> bytes:
    """About ``size`` bytes of valid rows but the last (its category is wrong): read and checked
    whole, then refused, so nothing is written."""
    name, address = "经济技术开发区精密光学制造基地" * 10, "北京市大兴区荣华街道科创十三街" * 6
    lines, total, n = [HEADER], len(HEADER.encode()), 0
    while total < size:
        line = f"HZ-{n},{name},{address},荣华街道,{10000 + n},立项园区,{HOLDER},1000000.00,50000.00,2024\n"
        lines.append(line)
        total, n = total + len(line.encode()), n + 1
    lines[-1] = lines[-1].replace("立项园区", "unknown")
    return "".join(lines).encode()


async def test_healthz_answers_while_a_large_sheet_is_checked(client: httpx.AsyncClient) -> None:
    data = large_sheet(9_500_000)  # over import_job_min_bytes: an import job on this same replica
    latencies: list[float] = []
    importing = True

    async def checked() -> dict[str, Any]:
        sent = await client.post("/v1/parcels/import", content=data, headers=CSV)
        assert sent.status_code == 202, sent.text
        while True:
            job: dict[str, Any] = (await client.get(sent.headers["location"], headers=WRITE)).json()
            if job["state"] in ("succeeded", "failed"):
                return job
            await asyncio.sleep(0.1)

    async def probe() -> None:
        while importing:
            started = time.perf_counter()
            alive = await client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            assert alive.status_code == 200
            await asyncio.sleep(0.05)

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    refused = await checked()
    took = time.perf_counter() - started
    importing = False
    await prober

    assert refused["state"] == "failed" and refused["problems_total"] == 1
    assert (refused["problems"][0]["field"], refused["problems"][0]["column"]) == ("category", "类别")
    assert took > 1.0, "the sheet was checked too fast for this test to tell anything"
    # A loop held for the whole check answers once, after about `took`. Bounded by a share of the
    # check's own time, not by a clock alone: on a loaded machine both stretch together.
    assert len(latencies) >= 3 and max(latencies) < max(1.0, took / 4), (took, latencies)


async def test_healthz_answers_while_a_large_sheet_is_written(client: httpx.AsyncClient) -> None:
    """The write of an accepted sheet (versions, history, outbox events for every row, in one
    transaction) holds the event loop for one chunk at a time, never for the whole sheet."""
    rows = 10_000  # 20 chunks of the write, an import job
    data = (HEADER + "".join(f"HW-{n:05d},厂房 {n} 号,,荣华街道,{10_000 + n},立项园区,{HOLDER},,,\n"
                             for n in range(rows))).encode()
    latencies: list[float] = []
    importing = True

    async def probe() -> None:
        while importing:
            started = time.perf_counter()
            assert (await client.get("/healthz")).status_code == 200
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    sent = await client.post("/v1/parcels/import", content=data, headers=CSV)
    assert sent.status_code == 202, sent.text
    while True:
        job = (await client.get(sent.headers["location"], headers=WRITE)).json()
        if job["state"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    took = time.perf_counter() - started
    importing = False
    await prober

    assert job["state"] == "succeeded" and job["result"]["created"] == rows, job
    assert len(latencies) >= 10 and max(latencies) < max(0.5, took / 8), (took, sorted(latencies)[-5:])
    listed = (await client.get("/v1/parcels", params={"limit": 1}, headers=token("registry:read"))).json()
    assert listed["total"] == rows


async def test_size_rows_and_listed_problems_are_bounded(make_settings: Callable[..., Awaitable[Settings]]) -> None:
    settings = await make_settings(Settings, MIGRATIONS, import_max_bytes=4000, import_max_rows=20,
                                   import_max_listed_problems=3)
    row = f"P-{{n}},Plant,,boxing,{{area}},self_use,{HOLDER},,,\n"
    async with serving(build_app(settings)) as client:
        big = (HEADER + "".join(row.format(n=n, area=100) for n in range(100))).encode()
        assert len(big) > 4000
        for request in ({"content": big, "headers": CSV},
                        {"files": {"file": ("p.csv", big, "text/csv")}, "headers": WRITE}):
            too_large = await client.post("/v1/parcels/import", **request)  # type: ignore[arg-type]
            assert too_large.status_code == 413, too_large.text
            assert too_large.headers["content-type"] == "application/problem+json"
            assert too_large.json()["detail"].startswith("文件超过 4000 字节的上限 (import_max_bytes)")

        many = (HEADER + "".join(row.format(n=n, area=100) for n in range(21))).encode()
        too_many = await client.post("/v1/parcels/import", content=many, headers=CSV)
        assert too_many.status_code == 422 and too_many.json()["detail"].startswith("表格超过 20 行数据的上限")

        bad = (HEADER + "".join(row.format(n=n, area=-1) for n in range(10))).encode()
        refused = await client.post("/v1/parcels/import", content=bad, headers=CSV)
        body = refused.json()
        assert refused.status_code == 422 and body["problems_total"] == 10 and len(body["errors"]) == 3
        assert body["detail"].startswith("共发现 10 个问题，列出前 3 个")
        english = await client.post("/v1/parcels/import", content=bad, headers=CSV | {"Accept-Language": "en"})
        assert "10 problem(s) found; the first 3 are listed" in english.json()["detail"]
        assert body["detail"].startswith("共发现 10 个问题")
