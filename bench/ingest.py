"""Figure 3 (`batch_ingest_vs_copy`): 100k filings through `POST /v1/revenue-filings/batch`,
divided by PostgreSQL `COPY` of the same rows into a bare table on the same server.

The batch goes to a parcel-registry of its own (fresh database, the other services stopped), as
NDJSON calls of `ingest_lines_per_call` lines sent one after another on one connection: what the
tax system does. Its time runs from the first byte sent to the last answer; every line must come
back accepted. The registry's relay publishes the FilingAccepted events to Kafka meanwhile (as it
would in production); the figure does not wait for that. The baseline COPYs the same filings
(same column values) into a table with no index or constraint, over one asyncpg connection;
median of three.

A second reference, `store_floor`, is the least any ingest that keeps the registry's records and
announces each filing must write: the rows the batch left in the registry's own tables (filings,
their attributions, the outbox events) COPYed again into empty tables with the same indexes. The
goal's ratio can be no lower than `floor_vs_copy`, whatever the service does before its writes.
"""

from __future__ import annotations

import asyncio
import io
import time
from statistics import median
from typing import Any

import asyncpg
import httpx

from bench.config import Config
from bench.e2e import bearer
from bench.stack import Infra, log, start_services
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


async def store_floor(infra: Infra, database: str, outbox_after: int) -> dict[str, Any]:
    """Each table's rows written by the batch, out by COPY and back in by COPY (timed) into an
    empty table `LIKE ... INCLUDING ALL` (same indexes, defaults and checks; no foreign keys)."""
    conn = await asyncpg.connect(infra.dsn(database))
    try:
        timings: dict[str, float] = {}
        rows: dict[str, int] = {}
        for table in FLOOR_TABLES:
            where = f" WHERE id > {int(outbox_after)}" if table == "outbox" else ""
            data = io.BytesIO()
            await conn.copy_from_query(f"SELECT * FROM {table}{where}", output=data, format="binary")
            await conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            await conn.copy_to_table(f"floor_{table}", source=io.BytesIO(data.getvalue()), format="binary")
            timings[table] = time.perf_counter() - started
            rows[table] = int(await conn.fetchval(f"SELECT count(*) FROM floor_{table}"))
        return {"s": sum(timings.values()), "tables_s": {t: round(v, 3) for t, v in timings.items()}, "rows": rows}
    finally:
        await conn.close()


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
            accepted, per_call = 0, []
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
        if accepted != count:
            raise RuntimeError(f"batch accepted {accepted} of {count}")
    finally:
        stack.stop()
    log("ingest: store floor (the batch's rows COPYed into copies of the registry's tables)")
    floor = await store_floor(infra, database, outbox_before)
    log("ingest: COPY baseline")
    copies = await copy_baseline(infra, copy_rows(filings))
    copy_s = median(copies)
    value = ratio(batch_s, copy_s, 2)
    return {
        "what": f"{count} filings through POST /v1/revenue-filings/batch ÷ COPY of the same rows into a bare table",
        "load_generator": f"httpx, {len(bodies)} NDJSON calls of {cfg.ingest_lines_per_call} lines, sequential",
        "ratio": value,
        "goal": GOALS["batch_ingest_vs_copy"],
        "goal_met": meets(value, GOALS["batch_ingest_vs_copy"], False),
        "batch_s": round(batch_s, 3),
        "batch_filings_per_s": rate(count, batch_s),
        "batch_call_s": {"min": round(min(per_call), 3), "max": round(max(per_call), 3)},
        "copy_s": round(copy_s, 3),
        "copy_runs_s": [round(c, 3) for c in copies],
        "copy_rows_per_s": rate(count, copy_s),
        "store_floor_s": round(floor["s"], 3),
        "store_floor": {"tables_s": floor["tables_s"], "rows": floor["rows"]},
        "floor_vs_copy": ratio(floor["s"], copy_s, 2),
        "batch_vs_floor": ratio(batch_s, floor["s"], 2),
        "filings": count,
    }
