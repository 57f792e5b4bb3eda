"""Figure 2 (`yearly_run`): seconds to grade 100k and 1M parcels, and whether it is linear.

For each size: an evaluation service of its own (fresh database, the other services stopped),
synthetic facts from `evaluation.synthetic` written into its facts tables by COPY, then
`POST /v1/evaluation-runs {year}` and polling `GET /v1/evaluation-runs/{id}` every 50 ms until the
run leaves queued/running. The run writes every evaluation, the year's current grades and one
outbox event per changed grade in its transaction, so its time includes all of that; publishing
those events to Kafka happens afterwards (the relay) and is reported separately as `events_out_s`:
until the bulk grades topic's end offsets add up to the run's events, read from the broker (polling
the outbox instead, a count over a million fresh rows five times a second, cost PostgreSQL as much
as the relay's own work and slowed it).
Baseline: the seconds the COPY of that size's facts took, in the same run. The evaluation
process's peak resident memory (the kernel's high-water mark) is read after the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.config import Config
from bench.e2e import bearer
from bench.stack import Infra, cpu_seconds, log, peak_rss_bytes, reset_topics, rss_bytes, start_services
from bench.stats import GOALS, linearity, meets, ratio
from evaluation.synthetic import build
from landgrade_events.evaluation import GRADES_BULK

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


async def events_left(bootstrap: str, expected: int, deadline: float) -> int:
    """Polls the bulk grades topic's end offsets (the topic was empty before the run) every 0.2 s
    until `expected` events are on it or `deadline` passes; returns how many are still missing."""
    consumer = AIOKafkaConsumer(GRADES_BULK, bootstrap_servers=bootstrap, group_id=None)  # reads nothing
    await consumer.start()
    try:
        left = expected
        while left > 0 and time.perf_counter() < deadline:  # bounded: the relay's pace, not the run's
            partitions = [TopicPartition(GRADES_BULK, p) for p in consumer.partitions_for_topic(GRADES_BULK) or ()]
            on_kafka = sum((await consumer.end_offsets(partitions)).values()) if partitions else 0
            left = expected - on_kafka
            if left > 0:
                await asyncio.sleep(0.2)
        return max(left, 0)
    finally:
        await consumer.stop()


async def one_size(infra: Infra, cfg: Config, size: int) -> dict[str, Any]:
    tag = f"yearly{size}"
    await reset_topics(infra.bootstrap)
    stack = start_services(infra, ["evaluation"], tag, profile_dir=cfg.out_dir)
    try:
        service = stack.services["evaluation"]
        dsn = infra.dsn(service.database)
        copy_s = await write_facts(dsn, size, f"Y{size}")
        pid = service.process.pid
        rss_before = rss_bytes(pid)
        async with httpx.AsyncClient(base_url=service.url, timeout=60,
                                     headers={"Authorization": bearer("admin")}) as client:
            cpu_before = cpu_seconds(pid), infra.cpu_seconds()["postgres"]
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
            cpu = {"evaluation": cpu_seconds(pid) - cpu_before[0],
                   "postgres": infra.cpu_seconds()["postgres"] - cpu_before[1]}
        rss_peak = peak_rss_bytes(pid)
        if run["state"] != "draft" or run.get("graded") != size:
            raise RuntimeError(f"run ended {run['state']} with {run.get('graded')} of {size}: {run.get('error')}")
        waited = time.perf_counter()
        deadline = waited + 3 * GOALS["yearly_events_out_1m_s"] * max(size, 100_000) / 1_000_000
        left = await events_left(infra.bootstrap, int(run.get("changed") or 0), deadline)
        events_s = time.perf_counter() - waited
    finally:
        stack.stop()
        # A size's million rows would otherwise be vacuumed beside the next size's run.
        for stopped in stack.services.values():
            infra.pg.drop_database(stopped.database)
    log(f"yearly: {size} parcels graded in {run_s:.2f}s (facts COPY {copy_s:.2f}s), events out in {events_s:.1f}s, "
        f"peak RSS {rss_peak / 2**20:.0f} MiB")
    return {"run_s": round(run_s, 3), "us_per_parcel": round(run_s / size * 1e6, 1), "facts_copy_s": round(copy_s, 3),
            "vs_facts_copy": ratio(run_s, copy_s, 2), "rss_before_mib": round(rss_before / 2**20),
            # What bounds the run: CPU seconds each process spent in it, and per parcel; a process
            # whose `busy` (CPU ÷ run time) is near 1 is the one a faster run must relieve.
            "cpu_s": {k: round(v, 2) for k, v in cpu.items()},
            "cpu_us_per_parcel": {k: round(v / size * 1e6, 1) for k, v in cpu.items()},
            "busy": {k: ratio(v, run_s, 2) for k, v in cpu.items()},
            "rss_peak_mib": round(rss_peak / 2**20),
            "events_out_s": round(events_s, 2), "events_not_out_after": left,
            "changed": run.get("changed"), "counts": run.get("counts")}


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    by_size = {}
    for size in cfg.yearly_sizes:
        log(f"yearly: {size} parcels")
        by_size[size] = await one_size(infra, cfg, size)
    largest = max(cfg.yearly_sizes)
    seconds, peak = by_size[largest]["run_s"], by_size[largest]["rss_peak_mib"]
    goal = GOALS["yearly_run_1m_s"] * largest / 1_000_000
    events_goal = GOALS["yearly_events_out_1m_s"] * largest / 1_000_000
    growth = linearity({k: v["run_s"] for k, v in by_size.items()}, within=GOALS["yearly_linearity"])
    return {
        "what": "seconds from POST /v1/evaluation-runs until the run is done (every parcel graded, stored, "
                "events in the outbox); goals scaled from 1M parcels to the largest size run",
        "sizes": {str(k): v for k, v in by_size.items()},
        "linearity": growth,
        "largest_s": seconds,
        "goal_s": goal,
        "goal_met": meets(seconds, goal, False) and growth["linear"],
        "bound": bound(by_size[largest], largest),
        "memory": {"largest_peak_mib": peak, "goal_mib": GOALS["yearly_rss_mib"],
                   "goal_met": meets(peak, GOALS["yearly_rss_mib"], False)},
        "events_out": {"largest_s": by_size[largest]["events_out_s"], "goal_s": events_goal,
                       "goal_met": not by_size[largest]["events_not_out_after"]
                       and meets(by_size[largest]["events_out_s"], events_goal, False)},
    }


def bound(figures: dict[str, Any], parcels: int) -> dict[str, Any]:
    """What bounds the run's time, from the CPU it measured: the run is one evaluation process
    (busy nearly all of it) writing through one transaction, so one PostgreSQL backend. All of the
    CPU spread perfectly over the machine's cores is the least any split of the grading could
    reach here; the backend's own CPU is the least while the write stays one transaction."""
    per_parcel = sum(figures["cpu_us_per_parcel"].values())
    cores = os.cpu_count() or 1
    return {
        "evaluation_busy": figures["busy"]["evaluation"],
        "cpu_us_per_parcel": round(per_parcel, 1),
        "cores": cores,
        "all_cores_at_best_s": round(per_parcel * parcels / 1e6 / cores, 1),
        "one_writer_backend_s": figures["cpu_s"]["postgres"],
    }
