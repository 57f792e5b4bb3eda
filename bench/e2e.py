"""Figure 1 (`e2e_throughput`) and figure 5 (`memory`): filings through all four services.

REST `POST /v1/revenue-filings` → parcel-registry (outbox) → Kafka `landgrade.registry.revenue.v1`
→ evaluation (re-grade, outbox) → Kafka `landgrade.evaluation.grades.v1` → credit-ledger. A filing
counts as done when the credit ledger has committed the grade it caused: the row in its `grades`
table, written in the same transaction (and by the same handler) that appends credit records for
final grades. See bench/README.md for why that row and not a credit record.

The harness learns of each commit at once through PostgreSQL NOTIFY: it adds one AFTER INSERT
trigger to the credit ledger's `grades` table of its own benchmark database (never a migration of
the service), and listens. Times are the bench process's monotonic clock on both ends.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson

from bench import loadgen
from bench.config import Config
from bench.stack import Infra, Stack, cpu_seconds, cpu_used, log, rss_bytes, start_services, thread_cpu_seconds
from bench.stats import GOALS, count_in_window, latency_summary, meets, memory_growth, rate, ratio
from bench.workload import HISTORY_RULESET, Landscape, e2e_filing, e2e_parcels, landscape
from landgrade.roles import ROLES
from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET

SERVICES = ["parcel-registry", "evaluation", "credit-ledger", "enforcement"]
TRIGGER = """
CREATE OR REPLACE FUNCTION bench_graded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('bench_graded', NEW.parcel_id || '|' || NEW.year); RETURN NEW; END $$;
DROP TRIGGER IF EXISTS bench_graded ON grades;
CREATE TRIGGER bench_graded AFTER INSERT ON grades FOR EACH ROW EXECUTE FUNCTION bench_graded();
"""


def bearer(role: str) -> str:
    return "Bearer " + mint_token(DEV_JWT_SECRET, f"bench:{role}", ROLES[role], ttl_seconds=6 * 3600)


@dataclass
class Tracker:
    """When each filing was due (sent) and when its grade was committed in the credit ledger."""

    sent: dict[tuple[str, int], float] = field(default_factory=dict)
    done: dict[tuple[str, int], float] = field(default_factory=dict)
    keys: dict[int, tuple[str, int]] = field(default_factory=dict)
    rejected: set[tuple[str, int]] = field(default_factory=set)

    def on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        parcel_id, year = payload.rsplit("|", 1)
        self.done.setdefault((parcel_id, int(year)), time.monotonic())

    def pending(self, keys: list[tuple[str, int]]) -> int:
        return sum(1 for k in keys if k not in self.done and k not in self.rejected)

    async def drain(self, keys: list[tuple[str, int]], timeout: float) -> float:
        """Waits until every accepted filing of `keys` reached the ledger; the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.pending(keys):
                break
            await asyncio.sleep(0.1)
        left = self.pending(keys)
        if left:
            log(f"  {left} filings still not in the credit ledger after {timeout:.0f}s")
        return time.monotonic() - started


async def setup(stack: Stack, land: Landscape) -> None:
    registry = stack.url("parcel-registry")
    async with httpx.AsyncClient(base_url=registry, timeout=300) as client:
        headers = {"Authorization": bearer("business-registry")}
        gate = asyncio.Semaphore(16)

        async def put(e: dict[str, Any]) -> None:
            async with gate:
                body = {k: v for k, v in e.items() if k != "uscc"}
                answer = await client.put(f"/v1/enterprises/{e['uscc']}", json=body, headers=headers)
                if answer.status_code >= 300:
                    raise RuntimeError(f"enterprise {e['uscc']}: {answer.status_code} {answer.text[:300]}")

        await asyncio.gather(*(put(e) for e in land.enterprises))
        added = await client.post(stack.url("evaluation") + "/v1/rulesets", json=HISTORY_RULESET,
                                  headers={"Authorization": bearer("admin")})
        if added.status_code not in (200, 201):
            raise RuntimeError(f"ruleset {HISTORY_RULESET['id']}: {added.status_code} {added.text[:300]}")
        answer = await client.post("/v1/parcels/import", content=land.import_sheet(),
                                   headers={"Authorization": bearer("land-staff"), "content-type": "text/csv"})
        if answer.status_code >= 300:
            raise RuntimeError(f"parcel import: {answer.status_code} {answer.text[:500]}")


async def wait_for_count(dsn: str, sql: str, expected: int, timeout: float = 300) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        while (found := await conn.fetchval(sql)) < expected:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{sql}: {found} of {expected} after {timeout:.0f}s")
            await asyncio.sleep(0.3)
    finally:
        await conn.close()


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Phase:
    """One open-loop phase: offered rate, what was accepted, and when each filing reached the ledger."""

    def __init__(self, name: str, result: loadgen.Result, keys: list[tuple[str, int]], tracker: Tracker,
                 drain_s: float, cpu: dict[str, float], busy: float, threads: dict[str, dict[str, float]]) -> None:
        self.name, self.result, self.keys, self.tracker = name, result, keys, tracker
        self.drain_s, self.cpu, self.busy, self.threads = drain_s, cpu, busy, threads
        self.ended = time.monotonic()

    def figures(self, rate_offered: float, seconds: float) -> dict[str, Any]:
        r, t = self.result, self.tracker
        accepted = [k for k in self.keys if k not in t.rejected]
        done = [k for k in accepted if k in t.done]
        missing = [k for k in accepted if k not in t.done]
        # A filing that never reached the ledger by the end of the drain counts with its age then:
        # a lower bound of its latency, so a backlog raises the percentiles instead of hiding.
        e2e = [t.done[k] - t.sent[k] for k in done] + [self.ended - t.sent[k] for k in missing]
        ramp = r.started + 0.1 * seconds  # the first tenth is the pipeline filling up
        window_end = r.started + seconds
        in_window = count_in_window((t.done[k] for k in done), ramp, window_end)
        return {
            "offered_per_s": rate_offered, "seconds": seconds,
            "posted": len(self.keys), "accepted": len(accepted), "post_statuses": r.statuses(),
            "intake_per_s": rate(r.ok((201,)), r.finished - r.started),
            "reached_credit_ledger": len(done),
            "not_reached_after_drain": len(missing),
            "sustained_per_s": rate(in_window, window_end - ramp),
            "overall_per_s": rate(len(done), (max(t.done[k] for k in done) - r.started) if done else 0),
            "drain_after_load_s": round(self.drain_s, 2),
            "post_latency": latency_summary(r.latencies, "ms"),
            "post_to_credit_ledger_latency": latency_summary(e2e, "s"),
            "cpu_ms_per_filing": {name: round(1000 * used / max(1, len(done)), 2) for name, used in self.cpu.items()},
            # Per service, by thread: the threads beside the event loop's (0.01 ms and up only).
            "cpu_ms_per_filing_by_thread": {
                service: {name: ms for name, used in sorted(threads.items())
                          if (ms := round(1000 * used / max(1, len(done)), 2)) >= 0.01}
                for service, threads in self.threads.items()},
            "machine_cpu_busy": round(self.busy, 3),
        }


async def run_phase(name: str, pool: loadgen.Pool, land: Landscape, tracker: Tracker, stack: Stack, infra: Infra,
                    start: int, rate_per_s: float, seconds: float, drain_timeout: float, tag: str) -> Phase:
    token = bearer("tax-system")
    host = pool.host

    def make(index: int) -> bytes:
        body, _ = e2e_filing(land, index, tag)
        return loadgen.request_bytes("POST", "/v1/revenue-filings", host,
                                     {"Authorization": token, "Content-Type": "application/json"},
                                     orjson.dumps(body))

    def on_sent(index: int, due: float) -> None:  # called when a filing falls due
        _, key = e2e_filing(land, index, tag)
        tracker.keys[index] = key
        tracker.sent[key] = due

    def on_done(index: int, status: int, _body: bytes) -> None:
        if status != 201:
            tracker.rejected.add(tracker.keys[index])

    pids = stack.pids()
    cpu_before = {n: cpu_seconds(p) for n, p in pids.items()} | infra.cpu_seconds()
    threads_before = {n: thread_cpu_seconds(p) for n, p in pids.items()}
    busy_before = machine_busy()
    log(f"  {name}: {rate_per_s:.0f} filings/s for {seconds:.0f}s")
    result = await loadgen.open_loop(pool, make, rate_per_s, seconds, start_index=start, on_done=on_done,
                                     on_sent=on_sent)
    keys = [tracker.keys[i] for i in range(start, start + int(rate_per_s * seconds))]
    drain = await tracker.drain(keys, drain_timeout)
    busy_after = machine_busy()
    cpu_after = {n: cpu_seconds(p) for n, p in pids.items()} | infra.cpu_seconds()
    threads = {n: cpu_used(threads_before[n], thread_cpu_seconds(p)) for n, p in pids.items()}
    cpu = {n: cpu_after[n] - cpu_before[n] for n in cpu_before}
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    return Phase(name, result, keys, tracker, drain, cpu, busy, threads)


async def run(infra: Infra, cfg: Config, tag: str = "e2e",
              env: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any], Stack]:
    """Returns (e2e figures, memory figures, the still running stack for the read benchmark)."""
    log(f"{tag}: starting the four services")
    stack = start_services(infra, SERVICES, tag, env=env, profile_dir=cfg.out_dir)
    try:
        land = landscape(e2e_parcels(cfg.e2e_filings), tag)
        log(f"e2e: registering {len(land.enterprises)} enterprises and importing {len(land.parcels)} parcels")
        await setup(stack, land)
        n = len(land.parcels)
        await wait_for_count(infra.dsn(stack.services["evaluation"].database), "SELECT count(*) FROM parcels", n)
        await wait_for_count(infra.dsn(stack.services["credit-ledger"].database),
                             "SELECT count(*) FROM enterprises", n)
        tracker = Tracker()
        listener = await asyncpg.connect(infra.dsn(stack.services["credit-ledger"].database))
        await listener.execute(TRIGGER)
        await listener.add_listener("bench_graded", tracker.on_notify)
        registry = stack.services["parcel-registry"]
        pool = loadgen.Pool("127.0.0.1", registry.port, cfg.max_connections)
        try:
            index = 0
            warm = await run_phase("warm-up", pool, land, tracker, stack, infra, index, cfg.e2e_warmup_rate,
                                   cfg.e2e_warmup_s, 120, tag)
            index += len(warm.keys)
            fixed = await run_phase(f"fixed {cfg.fixed_rate:.0f}/s", pool, land, tracker, stack, infra, index,
                                    cfg.fixed_rate, cfg.e2e_fixed_s, cfg.drain_timeout, tag)
            index += len(fixed.keys)
            rss_before = {name: rss_bytes(pid) for name, pid in stack.pids().items()}
            sustained = await run_phase("sustained", pool, land, tracker, stack, infra, index, cfg.e2e_rate,
                                        cfg.e2e_seconds, cfg.drain_timeout, tag)
            rss_after = {name: rss_bytes(pid) for name, pid in stack.pids().items()}
        finally:
            pool.close()
            await listener.close()
        at_500 = fixed.figures(cfg.fixed_rate, cfg.e2e_fixed_s)
        main = sustained.figures(cfg.e2e_rate, cfg.e2e_seconds)
        throughput = main["sustained_per_s"]
        p99 = main["post_to_credit_ledger_latency"]["p99_s"]
        post_p99 = at_500["post_latency"]["p99_ms"]
        figures = {
            "what": "filings/s from REST POST until the credit ledger committed the resulting grade",
            "load_generator": "bench.loadgen: asyncio HTTP/1.1 keep-alive client, open loop (fixed arrival rate)",
            "filings_per_s": throughput,
            "goal_filings_per_s": GOALS["e2e_filings_per_s"],
            "vs_goal": ratio(throughput, GOALS["e2e_filings_per_s"]),
            "goal_met": meets(throughput, GOALS["e2e_filings_per_s"], True),
            "latency_p50_s": main["post_to_credit_ledger_latency"]["p50_s"],
            "latency_p99_s": p99,
            "latency_goal_met": meets(p99, GOALS["e2e_latency_p99_s"], False),
            "post_latency_p99_ms_at_500_per_s": post_p99,
            "post_latency_goal_met": meets(post_p99, GOALS["post_latency_p99_ms_at_500"], False),
            "sustained_run": main,
            "fixed_500_per_s_run": at_500,
            "parcels": n,
        }
        services = memory_growth(rss_before, rss_after)
        memory: dict[str, Any] = {
            "what": "resident set size of each service process before and after the sustained run (drained)",
            "services": services,
            "goal_met": all(v["goal_met"] for v in services.values()),
        }
        return figures, memory, stack
    except BaseException:
        stack.stop()
        raise
