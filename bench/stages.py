"""Section `stages` (figure `pipeline_stages`): each stage of the filing pipeline with the machine to itself.

The end-to-end figure runs the four services, PostgreSQL, Kafka and the load generator on the same
two cores, so it measures what they hold together, not what one of them holds. Here the same
filings go through the same four processes one stage at a time, the others paused (SIGSTOP: they
use no CPU, keep their connections, and go on where they stopped on SIGCONT):

1. a warm-up with everything running (every consumer group has committed offsets);
2. the consumers paused, the registry alone: POSTs at the fixed rate (the POST latency goal's
   500/s), then at the offered rate (the 1,000/s goal), until its relay has published them all;
3. evaluation alone drains the filings' events (grades and publishes them), then the credit
   ledger alone, then enforcement.

A consumer stage is done when its consumer groups have committed every event on their topics and
its outbox is empty; its rate is counted from the first event it applied after resuming (the
rejoin after a pause is not the stage's pace). What each stage holds here, with PostgreSQL and
Kafka beside it, is about what it holds on a node of its own; the slowest stage bounds the
pipeline. See bench/README.md, "Each stage alone".
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from bench import loadgen
from bench.config import Config
from bench.e2e import SERVICES, TRIGGER, Tracker, bearer, setup, wait_for_count
from bench.stack import Infra, Stack, cpu_used, log, ms_per, stack_cpu_seconds, start_services
from bench.stats import GOALS, latency_summary, meets, rate
from bench.workload import e2e_filing, e2e_parcels, landscape

TAG = "stages"
CONSUMERS = ("evaluation", "credit-ledger", "enforcement")


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    fixed_n = int(cfg.fixed_rate * cfg.e2e_fixed_s)
    offered_n = int(cfg.e2e_rate * cfg.stage_seconds)
    warm_n = int(cfg.e2e_warmup_rate * cfg.e2e_warmup_s)
    land = landscape(e2e_parcels(warm_n + fixed_n + offered_n), TAG)
    log(f"{TAG}: starting the four services")
    stack = start_services(infra, SERVICES, TAG)
    try:
        await setup(stack, land)
        await wait_for_count(infra.dsn(stack.services["evaluation"].database), "SELECT count(*) FROM parcels",
                             len(land.parcels))
        await wait_for_count(infra.dsn(stack.services["credit-ledger"].database),
                             "SELECT count(*) FROM enterprises", len(land.parcels))
        tracker = Tracker()
        listener = await asyncpg.connect(infra.dsn(stack.services["credit-ledger"].database))
        await listener.execute(TRIGGER)
        await listener.add_listener("bench_graded", tracker.on_notify)
        pool = loadgen.Pool("127.0.0.1", stack.services["parcel-registry"].port, cfg.max_connections)
        poster = Poster(pool, land, tracker)
        try:
            log(f"  warm-up: {cfg.e2e_warmup_rate:.0f} filings/s for {cfg.e2e_warmup_s:.0f}s, every stage running")
            await poster.post(0, cfg.e2e_warmup_rate, cfg.e2e_warmup_s)
            await tracker.drain(list(tracker.sent), cfg.drain_timeout)
            for name in CONSUMERS:
                stack.services[name].process.send_signal(signal.SIGSTOP)
            try:
                registry = await _registry_alone(infra, stack, cfg, poster, warm_n)
                stages: dict[str, Any] = {"parcel-registry": registry}
                filings = registry["fixed_rate"]["accepted"] + registry["offered_rate"]["accepted"]
                for name in CONSUMERS:
                    stages[name] = await _consumer_alone(infra, stack, name, filings, cfg.drain_timeout)
            finally:
                for name in CONSUMERS:
                    stack.services[name].process.send_signal(signal.SIGCONT)
            reached = len(tracker.done) - warm_n
        finally:
            pool.close()
            await listener.close()
    finally:
        stack.stop()
    return stage_figures(stages, filings, reached)


class Poster:
    """Posts filings `start`, `start + 1`, ... open loop at a rate, remembering which were accepted."""

    def __init__(self, pool: loadgen.Pool, land: Any, tracker: Tracker) -> None:
        self.pool, self.land, self.tracker, self.token = pool, land, tracker, bearer("tax-system")

    async def post(self, start: int, rate_per_s: float, seconds: float) -> loadgen.Result:
        def make(index: int) -> bytes:
            body, _ = e2e_filing(self.land, index, TAG)
            return loadgen.request_bytes("POST", "/v1/revenue-filings", self.pool.host,
                                         {"Authorization": self.token, "Content-Type": "application/json"},
                                         orjson.dumps(body))

        def on_sent(index: int, due: float) -> None:
            _, key = e2e_filing(self.land, index, TAG)
            self.tracker.keys[index] = key
            self.tracker.sent[key] = due

        def on_done(index: int, status: int, _body: bytes) -> None:
            if status != 201:
                self.tracker.rejected.add(self.tracker.keys[index])

        return await loadgen.open_loop(self.pool, make, rate_per_s, seconds, start_index=start, on_done=on_done,
                                       on_sent=on_sent)


async def _registry_alone(infra: Infra, stack: Stack, cfg: Config, poster: Poster, start: int) -> dict[str, Any]:
    pid = stack.services["parcel-registry"].process.pid
    registry_db = infra.dsn(stack.services["parcel-registry"].database)
    phases = {}
    for label, rate_per_s, seconds in (("fixed_rate", cfg.fixed_rate, cfg.e2e_fixed_s),
                                       ("offered_rate", cfg.e2e_rate, cfg.stage_seconds)):
        log(f"  registry alone: {rate_per_s:.0f} filings/s for {seconds:.0f}s")
        before = stack_cpu_seconds(infra, {"parcel-registry": pid})
        result = await poster.post(start, rate_per_s, seconds)
        published = await _until(lambda: _outbox_empty(registry_db), cfg.drain_timeout)
        used = cpu_used(before, stack_cpu_seconds(infra, {"parcel-registry": pid}))
        accepted = result.ok((201,))
        phases[label] = {
            "offered_per_s": rate_per_s, "seconds": seconds, "posted": int(rate_per_s * seconds),
            "accepted": accepted, "post_statuses": result.statuses(),
            "intake_per_s": rate(accepted, result.finished - result.started),
            "post_latency": latency_summary(result.latencies, "ms"),
            "events_out_after_load_s": round(published, 2),
            "cpu_ms_per_filing": ms_per(used, accepted),
        }
        start += int(rate_per_s * seconds)
    return phases


async def _consumer_alone(infra: Infra, stack: Stack, name: str, filings: int, timeout: float) -> dict[str, Any]:
    """Resumes `name` alone and follows it until its groups are caught up and its outbox is empty."""
    service = stack.services[name]
    dsn = infra.dsn(service.database)
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.bootstrap)
    reader = AIOKafkaConsumer(bootstrap_servers=infra.bootstrap, group_id=None, enable_auto_commit=False)
    await admin.start()
    await reader.start()
    try:
        groups = [g for g, *_ in await admin.list_consumer_groups() if g.startswith(f"bench-{TAG}.{name}")]
        consumed_before, on_topics = await _progress(admin, reader, groups)
        backlog = on_topics - consumed_before
        log(f"  {name} alone: {backlog} events to apply for {filings} filings")
        before = stack_cpu_seconds(infra, {name: service.process.pid})
        resumed = time.monotonic()
        service.process.send_signal(signal.SIGCONT)
        samples: list[tuple[float, int]] = []
        while True:
            consumed, on_topics = await _progress(admin, reader, groups)
            samples.append((time.monotonic() - resumed, consumed - consumed_before))
            if consumed >= on_topics and await _outbox_empty(dsn):
                break
            if samples[-1][0] > timeout:
                raise TimeoutError(f"{name}: {samples[-1][1]} of {backlog} events applied after {timeout:.0f}s")
            await asyncio.sleep(0.2)
        used = cpu_used(before, stack_cpu_seconds(infra, {name: service.process.pid}))
    finally:
        await reader.stop()
        await admin.close()
    done_s = samples[-1][0]
    # From the first sample at a tenth of the backlog: the rejoin after the pause is not its pace.
    tenth_s, tenth_n = next(((t, n) for t, n in samples if n >= backlog / 10), samples[-1])
    share = (backlog - tenth_n) / backlog if backlog else 0.0
    return {
        "events": backlog, "seconds": round(done_s, 2),
        "filings_per_s": rate(round(filings * share), done_s - tenth_s),
        "events_per_s": rate(backlog - tenth_n, done_s - tenth_s),
        "cpu_ms_per_filing": ms_per(used, filings),
    }


async def _progress(admin: AIOKafkaAdminClient, reader: AIOKafkaConsumer, groups: list[str]) -> tuple[int, int]:
    """(events the groups have committed, events on their topics). Each group reads every partition
    of its topics from the start (the topics are new in this section), so a partition a group has
    not committed on yet counts as not read at all."""
    committed = {group: await admin.list_consumer_group_offsets(group) for group in groups}
    topics = sorted({tp.topic for offsets in committed.values() for tp in offsets})
    partitions = [TopicPartition(t["topic"], p["partition"]) for t in await admin.describe_topics(topics)
                  for p in t.get("partitions", [])]
    ends = await reader.end_offsets(partitions) if partitions else {}
    done = total = 0
    for offsets in committed.values():
        read = {tp.topic for tp in offsets}
        for tp, end in ends.items():
            if tp.topic in read:
                mark = offsets.get(tp)
                total, done = total + end, done + (max(mark.offset, 0) if mark is not None else 0)
    return done, total


async def _outbox_empty(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return not await conn.fetchval("SELECT EXISTS (SELECT FROM outbox)")
    finally:
        await conn.close()


async def _until(check: Callable[[], Awaitable[bool]], timeout: float) -> float:
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not done after {timeout:.0f}s")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


def stage_figures(stages: dict[str, Any], filings: int, reached: int) -> dict[str, Any]:
    """The figure: what each stage held alone, the slowest of them, and the goals judged by it."""
    registry = stages["parcel-registry"]
    holds = {"parcel-registry": registry["offered_rate"]["intake_per_s"]}
    holds |= {name: stages[name]["filings_per_s"] for name in CONSUMERS}
    slowest = min(holds, key=lambda n: holds[n] or 0.0)
    post_p99 = registry["fixed_rate"]["post_latency"]["p99_ms"]
    goal = GOALS["e2e_filings_per_s"]
    return {
        "what": "filings/s each stage holds with the two cores to itself (beside PostgreSQL and Kafka), the "
                "other stages paused; POST latency with the consumers paused",
        "filings": filings,
        "reached_credit_ledger": reached,
        "filings_per_s_by_stage": holds,
        "slowest_stage": slowest,
        "pipeline_ceiling_per_s": holds[slowest],
        "goal_filings_per_s": goal,
        "goal_met_by_every_stage_alone": meets(holds[slowest], goal, True),
        "post_latency_p99_ms_at_fixed_rate_alone": post_p99,
        "post_latency_goal_met_alone": meets(post_p99, GOALS["post_latency_p99_ms_at_500"], False),
        "stages": stages,
    }
