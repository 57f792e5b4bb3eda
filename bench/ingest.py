"""Figure 3 (`batch_ingest_vs_floor`): 100k filings through `POST /v1/revenue-filings/batch`,
divided by the store floor (below); beside it, divided by PostgreSQL `COPY` of the same rows into a
bare table on the same server (`batch_vs_copy`).

The batch goes to a parcel-registry of its own (fresh database, the other services stopped), as
NDJSON calls of `ingest_lines_per_call` lines sent one after another on one connection: what the
tax system does. Its time runs from the first byte sent to the last answer; every line must come
back accepted. The registry's relay publishes the FilingAccepted events to Kafka meanwhile (as it
would in production); the figure does not wait for that. The bare COPY writes the same filings
(same column values) into a table with no index or constraint, over one asyncpg connection;
median of three.

The goal is judged against `store_floor`: the least any ingest that keeps the
registry's records and announces each filing must write. It is the rows the batch wrote into the
registry's own tables (filings, their attributions, the outbox events) COPYed again into empty
tables with the same indexes. The relay deletes an outbox row once Kafka has it, so the batch's
events are gathered from the topics they reached (each record is its row: id, topic, key, payload,
traceparent) and from the outbox rows still waiting, not from the outbox table alone.

CPU per filing (`cpu_ms_per_filing`) is read from /proc over the batch's calls: the registry, PostgreSQL,
Kafka and this process. `bound` says what that CPU allows on this machine: its sum spread evenly over
every core is the least time the batch could take with it (`least_s`), and `least_vs_floor` the
least ratio; above the goal, the goal cannot be met here without spending less CPU per filing. The
registry's `busy` (its CPU ÷ the batch's time) below 1 means its event loop also waited on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import io
import os
import time
from statistics import median
from typing import Any

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.config import Config
from bench.e2e import bearer
from bench.stack import Infra, cpu_used, log, ms_per, stack_cpu_seconds, start_services
from bench.stats import GOALS, meets, rate, ratio
from bench.workload import batch_filings, copy_rows, landscape, ndjson

BARE = """CREATE TABLE bare_filings (filing_id text, revision integer, uscc text, parcel_id text, year integer,
quarter integer, output_value numeric(20, 2), tax_paid numeric(20, 2))"""


async def copy_baseline(infra: Infra, rows: list[tuple[Any, ...]]) -> list[float]:
    admin = await asyncpg.connect(infra.dsn("postgres"))
    await admin.execute("DROP DATABASE IF EXISTS bench_copy")
    await admin.execute("CREATE DATABASE bench_copy")
    await admin.close()
    conn = await asyncpg.connect(infra.dsn("bench_copy"))
    try:
        await conn.execute(BARE)
        # The rows as CSV text, built before the clock starts (the NDJSON bodies are built ahead too).
        text = io.StringIO()
        for r in rows:
            text.write(",".join("" if v is None else str(v) for v in r) + "\n")
        data = text.getvalue().encode()
        timings = []
        for _ in range(3):
            await conn.execute("TRUNCATE bare_filings")
            started = time.perf_counter()
            await conn.copy_to_table("bare_filings", source=io.BytesIO(data), format="csv")
            timings.append(time.perf_counter() - started)
        count = await conn.fetchval("SELECT count(*) FROM bare_filings")
        assert count == len(rows), f"COPY wrote {count} of {len(rows)} rows"
        return timings
    finally:
        await conn.close()


# What a filing leaves in the registry's database: the filing, where it was attributed, its event.
FLOOR_TABLES = ("revenue_filings", "filing_attributions", "outbox")


async def outbox_watermark(infra: Infra, database: str) -> int:
    conn = await asyncpg.connect(infra.dsn(database))
    try:
        return int(await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox"))
    finally:
        await conn.close()


async def _partitions(bootstrap: str) -> list[TopicPartition]:
    """Every partition of every topic on the broker but its own (`__consumer_offsets`)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([t for t in await admin.list_topics() if not t.startswith("__")])
        return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t.get("partitions", [])]
    finally:
        await admin.close()


async def topic_ends(bootstrap: str) -> dict[TopicPartition, int]:
    """Every partition's end offset now: where the events written after this moment begin."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap)
        return dict(await consumer.end_offsets(partitions)) if partitions else {}
    finally:
        await consumer.stop()


READ_BACK_S = 300
OutboxRecord = tuple[str, str, str, bytes, str, bool]  # event_id, topic, key, payload, headers (JSON), bulk


async def published_since(bootstrap: str, since: dict[TopicPartition, int]) -> list[OutboxRecord]:
    """The outbox rows behind every record written to these partitions after `since` (a partition
    made later is read from its start), as the relay had them: the CloudEvent's id, topic, key,
    payload and trace header."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap)
        ends = await consumer.end_offsets(partitions)
        todo = {tp: end for tp, end in ends.items() if end > since.get(tp, 0)}
        if not todo:
            return []
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, since.get(tp, 0))
        rows: list[OutboxRecord] = []
        deadline = time.monotonic() + READ_BACK_S
        while todo:
            if time.monotonic() > deadline:  # a broker that stops answering ends the figure, not the bench
                raise RuntimeError(f"the batch's events not read back from Kafka in {READ_BACK_S} s: {sorted(todo)}")
            for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                for r in records:
                    if r.offset < todo.get(tp, 0):
                        headers = {k: v.decode() for k, v in r.headers}
                        rows.append((orjson.loads(r.value)["id"], tp.topic, r.key.decode(), r.value,
                                     orjson.dumps(headers).decode(), False))
                if records and records[-1].offset + 1 >= todo.get(tp, 0):
                    todo.pop(tp, None)
        return rows
    finally:
        await consumer.stop()


async def outbox_rows(infra: Infra, database: str, outbox_after: int) -> list[OutboxRecord]:
    """The batch's outbox rows not yet published when the registry stopped."""
    conn = await asyncpg.connect(infra.dsn(database))
    try:
        rows = await conn.fetch("SELECT event_id::text, topic, key, payload, headers::text, bulk FROM outbox "
                                "WHERE id > $1", outbox_after)
        return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        await conn.close()


async def store_floor(infra: Infra, database: str, events: list[OutboxRecord]) -> dict[str, Any]:
    """Each table's rows written by the batch, out by COPY and back in by COPY (timed) into an
    empty table `LIKE ... INCLUDING ALL` (same indexes, defaults and checks; no foreign keys).
    `events`: the batch's outbox rows, staged first in a table without indexes."""
    conn = await asyncpg.connect(infra.dsn(database))
    try:
        await conn.execute("CREATE TABLE staged_outbox (LIKE outbox INCLUDING DEFAULTS INCLUDING IDENTITY)")
        await conn.copy_records_to_table("staged_outbox", records=events,
                                         columns=["event_id", "topic", "key", "payload", "headers", "bulk"])
        sources = {"revenue_filings": "revenue_filings", "filing_attributions": "filing_attributions",
                   "outbox": "staged_outbox"}
        timings: dict[str, float] = {}
        rows: dict[str, int] = {}
        for table in FLOOR_TABLES:
            data = io.BytesIO()
            await conn.copy_from_query(f"SELECT * FROM {sources[table]}", output=data, format="binary")
            await conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            await conn.copy_to_table(f"floor_{table}", source=io.BytesIO(data.getvalue()), format="binary")
            timings[table] = time.perf_counter() - started
            rows[table] = int(await conn.fetchval(f"SELECT count(*) FROM floor_{table}"))
        return {"s": sum(timings.values()), "tables_s": {t: round(v, 3) for t, v in timings.items()}, "rows": rows}
    finally:
        await conn.close()


def bound(cpu: dict[str, float], batch_s: float, floor_s: float) -> dict[str, Any]:
    """What the batch's measured CPU allows on this machine's cores (see the module docstring)."""
    cores = os.cpu_count() or 1
    least = sum(cpu.values()) / cores
    return {
        "cores": cores,
        "cpu_s": {name: round(seconds, 2) for name, seconds in cpu.items()},
        "registry_busy": ratio(cpu["parcel-registry"], batch_s, 2),
        "least_s": round(least, 2),
        "least_vs_floor": ratio(least, floor_s, 2),
        "goal_reachable_at_this_cpu": least <= GOALS["batch_ingest_vs_floor"] * floor_s,
    }


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    count = cfg.ingest_filings
    land = landscape(max(1, count // (4 * cfg.ingest_years)), "ingest")
    filings = batch_filings(land, count, cfg.ingest_years)
    bodies = [ndjson(filings[i:i + cfg.ingest_lines_per_call]) for i in range(0, count, cfg.ingest_lines_per_call)]
    log(f"ingest: starting a parcel-registry; {len(land.parcels)} parcels, {count} filings "
        f"in {len(bodies)} calls")
    stack = start_services(infra, ["parcel-registry"], "ingest", profile_dir=cfg.out_dir)
    try:
        url = stack.url("parcel-registry")
        async with httpx.AsyncClient(base_url=url, timeout=600) as client:
            answer = await client.post("/v1/parcels/import", content=land.import_sheet(),
                                       headers={"Authorization": bearer("land-staff"), "content-type": "text/csv"})
            answer.raise_for_status()
            headers = {"Authorization": bearer("tax-system"), "content-type": "application/x-ndjson"}
            await asyncio.sleep(2)  # let the relay publish the import's events before the clock starts
            database = stack.services["parcel-registry"].database
            outbox_before = await outbox_watermark(infra, database)
            offsets_before = await topic_ends(infra.bootstrap)
            pid = stack.services["parcel-registry"].process.pid
            accepted, per_call = 0, []
            cpu_before = stack_cpu_seconds(infra, {"parcel-registry": pid})
            started = time.perf_counter()
            for body in bodies:
                call_started = time.perf_counter()
                answer = await client.post("/v1/revenue-filings/batch", content=body, headers=headers)
                per_call.append(time.perf_counter() - call_started)
                answer.raise_for_status()
                report = answer.json()
                accepted += report["accepted"]
                if report["rejected"]:
                    raise RuntimeError(f"batch rejected lines: {report['errors'][:3]}")
            batch_s = time.perf_counter() - started
            cpu = cpu_used(cpu_before, stack_cpu_seconds(infra, {"parcel-registry": pid}))
        if accepted != count:
            raise RuntimeError(f"batch accepted {accepted} of {count}")
    finally:
        stack.stop()
    log("ingest: store floor (the batch's rows COPYed into copies of the registry's tables)")
    waiting = await outbox_rows(infra, database, outbox_before)
    unpublished = {r[0] for r in waiting}
    events = waiting + [r for r in await published_since(infra.bootstrap, offsets_before) if r[0] not in unpublished]
    floor = await store_floor(infra, database, events)
    log("ingest: COPY baseline")
    copies = await copy_baseline(infra, copy_rows(filings))
    copy_s = median(copies)
    value = ratio(batch_s, floor["s"], 2)
    return {
        "what": f"{count} filings through POST /v1/revenue-filings/batch ÷ the store floor (the rows they left "
                "in the registry's tables and outbox, COPYed into empty copies of those tables)",
        "load_generator": f"httpx, {len(bodies)} NDJSON calls of {cfg.ingest_lines_per_call} lines, sequential",
        "ratio": value,
        "goal": GOALS["batch_ingest_vs_floor"],
        "goal_met": meets(value, GOALS["batch_ingest_vs_floor"], False),
        "batch_s": round(batch_s, 3),
        "batch_filings_per_s": rate(count, batch_s),
        "batch_call_s": {"min": round(min(per_call), 3), "max": round(max(per_call), 3)},
        "cpu_ms_per_filing": ms_per(cpu, count, 3),
        "bound": bound(cpu, batch_s, floor["s"]),
        "copy_s": round(copy_s, 3),
        "copy_runs_s": [round(c, 3) for c in copies],
        "copy_rows_per_s": rate(count, copy_s),
        "store_floor_s": round(floor["s"], 3),
        "store_floor": {"tables_s": floor["tables_s"], "rows": floor["rows"]},
        "floor_vs_copy": ratio(floor["s"], copy_s, 2),
        "batch_vs_copy": ratio(batch_s, copy_s, 2),
        "filings": count,
    }
