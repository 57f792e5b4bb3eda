"""`import_healthz`: does a large parcel sheet stall the registry? `/healthz` latency while a
sheet of about 10 MB (`import_sheet_bytes`, just under the registry's default cap) is imported,
against the same probe on the idle service, in one run.

The registry runs alone (fresh database). The probe is open-loop: `/healthz` at a fixed rate on
keep-alive connections, latency counted from the scheduled send time, so a stalled event loop
shows in the tail. The sheet's rows are parcels of distinct holders; the import is all or
nothing and must be accepted.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.config import Config
from bench.e2e import bearer
from bench.loadgen import Pool, Result, open_loop, request_bytes
from bench.stack import Infra, log, start_services
from bench.stats import latency_summary, ratio
from bench.workload import STREETS
from landgrade.demo.dataset import uscc

PROBE_RATE = 50.0  # /healthz requests a second


def parcel_sheet(target_bytes: int, seed: int = 11) -> tuple[bytes, int]:
    """A CSV import sheet of at most `target_bytes` bytes (UTF-8), and its number of rows."""
    rng = random.Random(seed)
    lines = ["parcel_id,name,street,area_m2,category,rights_holder\r\n"]
    size, rows = len(lines[0].encode()), 0
    while True:
        line = (f"BENCH-imp-{rows:07d},基准宗地 {rows:07d} 号厂房,{STREETS[rows % len(STREETS)]},"
                f"{rng.randrange(10_000, 60_000)},self_use,{uscc(rng)}\r\n")
        encoded = len(line.encode())
        if size + encoded > target_bytes:
            return "".join(lines).encode(), rows
        lines.append(line)
        size += encoded
        rows += 1


async def _probe(pool: Pool, raw: bytes, seconds: float) -> Result:
    return await open_loop(pool, lambda _: raw, PROBE_RATE, seconds)


async def _import(client: httpx.AsyncClient, sheet: bytes) -> httpx.Response:
    """The import as a land office runs it: a sheet this large is answered 202 with a job, polled
    until it has finished (its answer is the job's last state)."""
    headers = {"Authorization": bearer("land-staff")}
    answer = await client.post("/v1/parcels/import", content=sheet, headers=headers | {"content-type": "text/csv"})
    while answer.status_code == 202 or (answer.status_code == 200 and
                                        answer.json().get("state") in ("queued", "running")):
        await asyncio.sleep(0.5)
        answer = await client.get(answer.headers.get("location") or answer.url.path, headers=headers)
    if answer.status_code == 200 and answer.json().get("state") == "failed":
        raise RuntimeError(f"import job failed: {answer.text[:300]}")
    return answer


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    sheet, rows = parcel_sheet(cfg.import_sheet_bytes)
    log(f"import: a {len(sheet) / 1e6:.1f} MB sheet of {rows} parcels; /healthz at {PROBE_RATE:.0f}/s")
    stack = start_services(infra, ["parcel-registry"], "import", env={"IMPORT_MAX_ROWS": str(rows + 1)},
                           profile_dir=cfg.out_dir)
    try:
        url = stack.url("parcel-registry")
        host = urlsplit(url)
        pool = Pool(host.hostname or "127.0.0.1", host.port or 80, 8)
        raw = request_bytes("GET", "/healthz", f"{host.hostname}:{host.port}")
        idle = await _probe(pool, raw, cfg.import_idle_probe_s)
        async with httpx.AsyncClient(base_url=url, timeout=1800) as client:
            started = time.perf_counter()
            importing = asyncio.create_task(_import(client, sheet))
            during = Result()
            while not importing.done():  # probe in one-second windows until the import has answered
                window = await _probe(pool, raw, 1.0)
                during.samples.extend(window.samples)
                during.errors += window.errors
                during.dropped += window.dropped
            answer = await importing
            import_s = time.perf_counter() - started
        pool.close()
        if answer.status_code >= 300:
            raise RuntimeError(f"import: {answer.status_code} {answer.text[:300]}")
        idle_lat, during_lat = latency_summary(idle.latencies), latency_summary(during.latencies)
        return {
            "sheet_bytes": len(sheet), "rows": rows, "import_s": round(import_s, 2),
            "healthz_idle": idle_lat, "healthz_during_import": during_lat,
            "healthz_statuses_during_import": during.statuses(),
            "p99_during_vs_idle": ratio(during_lat["p99_ms"], idle_lat["p99_ms"], 2),
        }
    finally:
        stack.stop()
