"""Figure 2 (`yearly_run`): seconds to grade 10k, 50k and 100k parcels, and whether it is linear.

For each size: an evaluation service of its own (fresh database, the other services stopped),
synthetic facts from `evaluation.synthetic` written into its facts tables by COPY, then
`POST /v1/evaluation-runs {year}` and polling `GET /v1/evaluation-runs/{id}` every 50 ms until the
run leaves queued/running. The run writes every evaluation, the year's current grades and one
outbox event per changed grade in its transaction, so its time includes all of that; publishing
those events to Kafka happens afterwards (the relay) and is reported separately as `events_out_s`.
Baseline: the seconds the COPY of that size's facts took, in the same run.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg
import httpx

from bench.config import Config
from bench.e2e import bearer
from bench.stack import Infra, log, reset_topics, start_services
from bench.stats import GOALS, linearity, meets, ratio
from evaluation.synthetic import build

YEAR = 2025
JSON_COLUMNS = {"commitments", "deadlines", "flags"}


async def write_facts(dsn: str, size: int, prefix: str) -> float:
    """COPYs `size` synthetic parcels with their facts; returns the seconds the COPY took."""
    data = build(size, YEAR, prefix)
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        for table, rows in data.rows.items():
            if not rows:
                continue
            columns = list(rows[0])
            records = [tuple(json.dumps(r[c]) if c in JSON_COLUMNS else r[c] for c in columns) for r in rows]
            await conn.copy_records_to_table(table, records=records, columns=columns)
        await conn.execute("ANALYZE")
        return time.perf_counter() - started
    finally:
        await conn.close()


async def one_size(infra: Infra, cfg: Config, size: int) -> dict[str, Any]:
    tag = f"yearly{size}"
    await reset_topics(infra.bootstrap)
    stack = start_services(infra, ["evaluation"], tag, profile_dir=cfg.out_dir)
    try:
        service = stack.services["evaluation"]
        dsn = infra.dsn(service.database)
        copy_s = await write_facts(dsn, size, f"Y{size}")
        async with httpx.AsyncClient(base_url=service.url, timeout=60,
                                     headers={"Authorization": bearer("admin")}) as client:
            started = time.perf_counter()
            answer = await client.post("/v1/evaluation-runs", json={"year": YEAR})
            answer.raise_for_status()
            run_id = answer.json()["id"]
            while True:
                run = (await client.get(f"/v1/evaluation-runs/{run_id}")).json()
                if run["state"] not in ("queued", "running"):
                    break
                await asyncio.sleep(0.05)
            run_s = time.perf_counter() - started
        if run["state"] != "draft" or run.get("graded") != size:
            raise RuntimeError(f"run ended {run['state']} with {run.get('graded')} of {size}: {run.get('error')}")
        conn = await asyncpg.connect(dsn)
        try:
            waited = time.perf_counter()
            for _ in range(300):  # at most a minute: the relay's pace, not the run's
                left = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                if not left:
                    break
                await asyncio.sleep(0.2)
            events_s = time.perf_counter() - waited
        finally:
            await conn.close()
    finally:
        stack.stop()
    log(f"yearly: {size} parcels graded in {run_s:.2f}s (facts COPY {copy_s:.2f}s), events out in {events_s:.1f}s")
    return {"run_s": round(run_s, 3), "facts_copy_s": round(copy_s, 3), "vs_facts_copy": ratio(run_s, copy_s, 2),
            "events_out_s": round(events_s, 2), "events_not_out_after": left,
            "changed": run.get("changed"), "counts": run.get("counts")}


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    by_size = {}
    for size in cfg.yearly_sizes:
        log(f"yearly: {size} parcels")
        by_size[size] = await one_size(infra, cfg, size)
    largest = max(cfg.yearly_sizes)
    seconds = by_size[largest]["run_s"]
    goal = GOALS["yearly_run_100k_s"] * largest / 100_000
    return {
        "what": "seconds from POST /v1/evaluation-runs until the run is done (every parcel graded, stored, "
                "events in the outbox)",
        "sizes": {str(k): v for k, v in by_size.items()},
        "linearity": linearity({k: v["run_s"] for k, v in by_size.items()}),
        "largest_s": seconds,
        "goal_s": goal,
        "goal_met": meets(seconds, goal, False),
    }
