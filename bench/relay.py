"""Figure `relay_drain`: how fast the outbox relay empties a backlog of grade events, and whether
its pace holds as the backlog drains.

For each size N (`BENCH_RELAY_SIZES`): a fresh database migrated by the evaluation service's
Alembic chain (so the outbox carries exactly the production indexes), N grade events COPYed into
its outbox in one transaction (as the yearly run writes them: `add_grade_events`), keyed by N
distinct parcels, onto a fresh topic with the local stack's partitions. Then the production relay
(`Plumbing.relay()`: the same `OutboxRelay`, claim statement, producer settings and batch size a
service runs) publishes them from this process, and the harness reads its published-events
counter every few milliseconds until all N are out.

- `seconds`: from the relay's start until all N events are acknowledged by Kafka and marked.
- `first_10pct_per_s` / `last_10pct_per_s`: the rate over the first and the last tenth of the
  backlog; `flat` = first ÷ last (1.0: the pace does not depend on how much has been published).
- `snapshot_held_<smallest>`: the smallest size again while another session holds a snapshot
  (`snapshot_held`), so that no published row's index entry can be marked dead during the drain.
  The figure's `flat` is the worst of all drains.
- `per_tenth_per_s`: the rate over each tenth of the backlog; `autovacuums_of_outbox`: autovacuum
  passes over the outbox during the drain.
- `cpu_s_per_1k_events`: CPU seconds per thousand events of the relay (this process), PostgreSQL
  and Kafka during the drain: on two cores their sum bounds the rate.
- `claim_after_drain`: EXPLAIN (ANALYZE, BUFFERS) of the relay's own claim statement once the
  backlog is empty: the pages an empty claim still reads is what every claim pays for the rows
  published before it.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql

from bench.config import Config
from bench.stack import Infra, log
from bench.stats import GOALS, drain_rates, meets, ratio
from evaluation.adapters.grades_repository import OUTBOX_COLUMNS, envelope
from evaluation.bootstrap import MIGRATIONS
from landgrade_events.evaluation import ParcelGraded
from servicekit import outbox
from servicekit.events import source_uri, utc_text
from servicekit.kafka import ensure_topics
from servicekit.migrations import upgrade
from servicekit.outbox import OutboxRelay
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing, StandardTables

COPY_CHUNK = 50_000  # rows built and sent per COPY call, all in one transaction
SAMPLE_SECONDS = 0.005


def grade_document(i: int) -> dict[str, Any]:
    """A grade event's document as the yearly run announces it (ParcelGraded, validated once)."""
    return ParcelGraded(
        evaluation_id=f"EV-BENCH-{i:08d}", parcel_id=f"P-BENCH-{i:08d}", holder_uscc=f"91330000MA{i:08d}",
        street="ronghua", year=2025, grade="BCDA"[i % 4], previous_grade="ABCD"[i % 4], status="provisional",
        reasons=[{"clause": "2.1", "code": "output_per_ha", "text_zh": "亩均产值低于阈值",
                  "text_en": "output per hectare below the threshold", "grade": "C",
                  "setting": "thresholds.output_per_ha.C = 150000", "clause_id": "2.1",
                  "zh": "亩均产值低于阈值", "en": "output per hectare below the threshold"}],
        metrics={"area_ha": "1.2500", "output_value": "1875000.00", "tax_paid": "93750.00",
                 "output_per_ha": "1500000.00", "tax_per_ha": "75000.00"},
        ruleset_id="seed-2023", run_id="RUN-BENCH", evaluated_at=datetime(2026, 1, 5, tzinfo=UTC),
    ).model_dump(mode="json")


async def write_backlog(dsn: str, size: int, topic: str,
                        holder_of: Callable[[int], str] | None = None) -> tuple[float, int]:
    """COPYs `size` grade events into the outbox in one transaction, as a yearly run's commit leaves
    them; returns (seconds, payload bytes of one event). `holder_of(i)`: event i's holder USCC, for
    a backlog a credit ledger will apply (the default repeats one placeholder)."""
    source, now = source_uri("evaluation"), utc_text(datetime.now(UTC))
    template = grade_document(0)
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            for start in range(0, size, COPY_CHUNK):
                records = []
                for i in range(start, min(size, start + COPY_CHUNK)):
                    parcel = f"P-BENCH-{i:08d}"
                    document = template | {"parcel_id": parcel, "evaluation_id": f"EV-BENCH-{i:08d}"}
                    if holder_of is not None:
                        document["holder_uscc"] = holder_of(i)
                    event_id = str(uuid.uuid4())
                    payload = envelope(source, document, now, event_id)
                    traceparent = f"00-{i + 1:032x}-{i + 1:016x}-01"
                    # By the bulk lane, as a whole-year write sends them (on the topic given).
                    records.append((event_id, topic, parcel, payload, f'{{"traceparent":"{traceparent}"}}', True))
                await conn.copy_records_to_table("outbox", records=records, columns=OUTBOX_COLUMNS)
        seconds = time.perf_counter() - started
        return seconds, len(envelope(source, template, now, str(uuid.uuid4())))
    finally:
        await conn.close()


async def autovacuums(dsn: str) -> int:
    """Autovacuum passes over the outbox so far (its statistics reach the view within a second)."""
    conn = await asyncpg.connect(dsn)
    try:
        await asyncio.sleep(1.0)
        return int(await conn.fetchval("SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'outbox'"))
    finally:
        await conn.close()


def claim_sql(relay: OutboxRelay) -> str:
    """The relay's own claim statement of its last lane (the bulk lane, which a backlog drains by) as
    PostgreSQL receives it, from that lane's floor."""
    lane = relay.lanes[-1]
    statement = lane.claim_statement
    if "floor" in statement.compile().params:
        statement = statement.params(floor=lane.floor.value)
    return str(statement.compile(dialect=postgresql.asyncpg.dialect(), compile_kwargs={"literal_binds": True}))


async def explain_claim(dsn: str, sql: str) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the claim, planned as the relay's transactions plan it."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for name, value in outbox.CLAIM_PLAN.items():
                await conn.execute(f"SET LOCAL {name} = {value}")
            plan = json.loads(await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}"))[0]
            raise _Rollback  # the claim locks nothing here, but never keep what EXPLAIN ANALYZE did
    except _Rollback:
        pass
    finally:
        await conn.close()
    top = plan["Plan"]
    return {"ms": round(plan["Execution Time"], 2), "shared_buffers_read": top.get("Shared Hit Blocks", 0)
            + top.get("Shared Read Blocks", 0), "plan": _plan_nodes(top)}


class _Rollback(Exception):
    pass


def _plan_nodes(node: dict[str, Any]) -> str:
    name = node["Node Type"] + (f" on {node['Index Name']}" if "Index Name" in node else "")
    children = [_plan_nodes(c) for c in node.get("Plans", [])]
    return name + (f" > {' > '.join(children)}" if children else "")


async def drain(relay: OutboxRelay, size: int, timeout: float) -> list[tuple[float, int]]:
    """Runs the relay until `size` events are published; (seconds since start, published) samples."""
    published = relay.metrics.events_published
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    samples = [(0.0, 0)]
    try:
        while samples[-1][1] < size:
            if task.done():
                task.result()
                raise RuntimeError("the relay stopped before the backlog was empty")
            if samples[-1][0] > timeout:
                raise RuntimeError(f"{samples[-1][1]} of {size} published after {timeout:.0f}s")
            await asyncio.sleep(SAMPLE_SECONDS)
            count = int(published._value.get())
            if count != samples[-1][1]:
                samples.append((time.perf_counter() - started, count))
    finally:
        stop.set()
        await task
    return samples


@asynccontextmanager
async def snapshot_held(dsn: str, hold: bool) -> AsyncIterator[None]:
    """A REPEATABLE READ transaction that has taken its snapshot, open for the whole drain, as a
    backup, a long report or a standby's feedback holds one: no row deleted or updated meanwhile
    can be cleaned up or its index entries marked dead until it ends."""
    if not hold:
        yield
        return
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction(isolation="repeatable_read"):
            await conn.fetchval("SELECT 1")
            yield
    finally:
        await conn.close()


async def one_size(infra: Infra, cfg: Config, size: int,
                   make_relay: Callable[[Plumbing], OutboxRelay] | None = None,
                   hold_snapshot: bool = False) -> dict[str, Any]:
    database = f"bench_relay{size}_{uuid.uuid4().hex[:6]}"
    settings = ServiceSettings(service_name="evaluation", database_url=infra.pg.url(database),
                               kafka_bootstrap_servers=infra.bootstrap)
    await upgrade(settings.database_url, MIGRATIONS)
    topic = f"bench.relay.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings, [topic])
    dsn = infra.dsn(database)
    copy_s, payload_bytes = await write_backlog(dsn, size, topic)
    log(f"relay: {size} events in the outbox ({copy_s:.1f}s COPY, {payload_bytes} B each)")
    plumbing = Plumbing.build(settings, StandardTables.on(MetaData()))
    # Evaluation's relay: a live lane claimed before each batch of the bulk lane, which the backlog is in.
    relay = plumbing.relay(bulk_lane=True) if make_relay is None else make_relay(plumbing)
    try:
        async with snapshot_held(dsn, hold_snapshot):
            vacuums = await autovacuums(dsn)
            cpu_before = infra.cpu_seconds()
            samples = await drain(relay, size, cfg.relay_timeout_s)
            cpu_after = infra.cpu_seconds()
            vacuums = await autovacuums(dsn) - vacuums
        sql = claim_sql(relay)
        after = await explain_claim(dsn, sql)
    finally:
        await plumbing.db.dispose()
    rates = drain_rates(samples, size)
    held = " (a snapshot held)" if hold_snapshot else ""
    log(f"relay: {size} published{held} in {rates['seconds']:.1f}s ({rates['per_s']:.0f}/s; first tenth "
        f"{rates['first_10pct_per_s']:.0f}/s, last tenth {rates['last_10pct_per_s']:.0f}/s)")
    # CPU per thousand events: the relay (this process), PostgreSQL and the broker, which share the cores.
    cpu = {("relay" if name == "load-generator" else name): round((cpu_after[name] - cpu_before[name]) * 1000 / size, 3)
           for name in cpu_after}
    return {**rates, "cpu_s_per_1k_events": cpu, "payload_bytes": payload_bytes, "copy_s": round(copy_s, 2),
            "autovacuums_of_outbox": vacuums, "batch_size": relay.batch_size,
            "compression": settings.kafka_compression_type,  # of the relay's producer
            "claim_after_drain": after, "claim": sql}


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    by_size = {}
    for size in cfg.relay_sizes:
        by_size[size] = await one_size(infra, cfg, size)
    small, large = min(by_size), max(by_size)
    held = await one_size(infra, cfg, small, hold_snapshot=True)
    flat = max(s["flat"] or 0 for s in [*by_size.values(), held])
    slowdown = ratio(by_size[small]["per_s"], by_size[large]["per_s"], 2)
    seconds_per_million = round(by_size[large]["seconds"] * 1_000_000 / large, 1)
    return {
        "what": "seconds for the production relay to publish a backlog of N grade events COPYed into the outbox "
                "in one transaction, and its rate over the first and the last tenth of the backlog",
        "sizes": {str(k): v for k, v in by_size.items()},
        f"snapshot_held_{small}": held,
        "flat": flat,
        "flat_goal": GOALS["relay_flat"],
        "rate_small_vs_large": slowdown,
        "rate_small_vs_large_goal": GOALS["relay_size_slowdown"],
        "seconds_per_million": seconds_per_million,
        "seconds_per_million_goal": GOALS["relay_1m_s"],
        "goal_met": all([meets(flat, GOALS["relay_flat"], False),
                         meets(slowdown, GOALS["relay_size_slowdown"], False),
                         meets(seconds_per_million, GOALS["relay_1m_s"], False)]),
    }
