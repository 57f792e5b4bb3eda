"""Figure `live_behind_backlog` (section `live`): how long a live filing takes to reach the credit
ledger while a yearly run's grade events are still on their way to it (goal: p99 ≤ 2 s).

All four services run as `make run` starts them (as in `e2e`). First the baseline: live filings
at `BENCH_LIVE_RATE` (default 5/s) for `live_seconds` on the quiet pipeline, each one the first
filing of its parcel-year (so each has exactly one end, the credit ledger's commit of its grade).
Then N grade events (`BENCH_LIVE_BACKLOG`, default 200,000; quick 50,000) are COPYed into the evaluation
service's outbox in one transaction, as a yearly run's commit leaves them (`relay.write_backlog`;
distinct parcels, each with a valid holder, so the credit ledger applies every one), and the same
live filings are posted at the same rate at once, while the backlog drains.

- `quiet` / `behind_backlog`: POST → credit-ledger commit latency of the live filings (a filing
  not there when the drain ends counts with its age then: a lower bound).
- `backlog_out_s`: from the COPY's commit until the evaluation's outbox is empty (every event on
  Kafka); `backlog_applied_s`: until the credit ledger has applied all N. Where a live filing
  waits is the sum of the two queues it stands behind: the relay's and the consumer's.
- `cpu_ms_per_backlog_event`: CPU of each service, PostgreSQL and Kafka while the live filings
  waited, per backlog event.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench import e2e, loadgen
from bench.config import Config
from bench.relay import write_backlog
from bench.stack import Infra, log, start_services
from bench.stats import GOALS, meets, ratio
from bench.workload import e2e_parcels, landscape
from landgrade_events.evaluation import GRADES_BULK
from landgrade_reference.uscc import with_check_character

TAG = "live"
BACKLOG_PARCEL = "P-BENCH-"


def backlog_holder(i: int) -> str:
    """Event i's holder: a valid USCC of its own (one holder for all would make one register entry
    standing on every parcel, which no landscape has)."""
    return with_check_character(f"91110302M{i:08d}")


@dataclass
class BacklogTracker(e2e.Tracker):
    """The live filings as `e2e.Tracker` follows them, and how many backlog events the credit ledger
    has applied (counted, not kept: there are a million)."""

    backlog_applied: int = 0
    last_applied: float = 0.0

    def on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if payload.startswith(BACKLOG_PARCEL):
            self.backlog_applied += 1
            self.last_applied = time.monotonic()
            return
        super().on_notify(conn, pid, channel, payload)


async def outbox_empty_at(dsn: str, started: float, timeout: float) -> float | None:
    """Seconds after `started` at which the outbox was first seen empty (polled every 0.25 s)."""
    conn = await asyncpg.connect(dsn)
    try:
        while time.monotonic() - started < timeout:
            if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox)"):
                return round(time.monotonic() - started, 1)
            await asyncio.sleep(0.25)
        return None
    finally:
        await conn.close()


async def applied_at(tracker: BacklogTracker, size: int, started: float, timeout: float) -> float | None:
    while tracker.backlog_applied < size:
        if time.monotonic() - started > timeout:
            log(f"live: {tracker.backlog_applied} of {size} backlog events applied after {timeout:.0f}s")
            return None
        await asyncio.sleep(0.25)
    return round(tracker.last_applied - started, 1)


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    log(f"live: starting the four services; a backlog of {cfg.live_backlog:,} grade events follows the baseline")
    stack = start_services(infra, e2e.SERVICES, TAG, profile_dir=cfg.out_dir)
    try:
        land = landscape(e2e_parcels(int(2 * cfg.live_rate * cfg.live_seconds)), TAG)
        await e2e.setup(stack, land)
        ledger_dsn = infra.dsn(stack.services["credit-ledger"].database)
        evaluation_dsn = infra.dsn(stack.services["evaluation"].database)
        await e2e.wait_for_count(evaluation_dsn, "SELECT count(*) FROM parcels", len(land.parcels))
        await e2e.wait_for_count(ledger_dsn, "SELECT count(*) FROM enterprises", len(land.parcels))
        tracker = BacklogTracker()
        listener = await asyncpg.connect(ledger_dsn)
        await listener.execute(e2e.TRIGGER)
        await listener.add_listener("bench_graded", tracker.on_notify)
        pool = loadgen.Pool("127.0.0.1", stack.services["parcel-registry"].port, cfg.max_connections)
        try:
            quiet = await e2e.run_phase("live, nothing queued", pool, land, tracker, stack, infra, 0,
                                        cfg.live_rate, cfg.live_seconds, 60, TAG)
            copy_s, _ = await write_backlog(evaluation_dsn, cfg.live_backlog, GRADES_BULK, backlog_holder)
            started = time.monotonic()
            log(f"live: {cfg.live_backlog:,} grade events committed to evaluation's outbox ({copy_s:.1f}s COPY)")
            out = asyncio.create_task(outbox_empty_at(evaluation_dsn, started, cfg.relay_timeout_s))
            behind = await e2e.run_phase("live, behind the backlog", pool, land, tracker, stack, infra,
                                         len(quiet.keys), cfg.live_rate, cfg.live_seconds, cfg.relay_timeout_s, TAG)
            out_s = await out
            applied_s = await applied_at(tracker, cfg.live_backlog, started, cfg.relay_timeout_s)
        finally:
            pool.close()
            await listener.close()
    finally:
        stack.stop()
    calm = quiet.figures(cfg.live_rate, cfg.live_seconds)["post_to_credit_ledger_latency"]
    behind_latency = behind.figures(cfg.live_rate, cfg.live_seconds)["post_to_credit_ledger_latency"]
    p99 = behind_latency["p99_s"]
    log(f"live: p99 {calm['p99_s']}s quiet, {p99}s behind {cfg.live_backlog:,} events "
        f"(out of the outbox in {out_s}s, applied by the credit ledger in {applied_s}s)")
    return {
        "what": "POST → credit-ledger commit of live filings posted while a yearly run's grade events drain, "
                "against the same filings on the quiet pipeline",
        "backlog_events": cfg.live_backlog,
        "live_per_s": cfg.live_rate,
        "quiet": calm,
        "behind_backlog": behind_latency,
        "live_p99_s": p99,
        "live_p99_vs_quiet": ratio(p99, calm["p99_s"], 1),
        "goal_live_p99_s": GOALS["live_behind_backlog_p99_s"],
        "goal_met": meets(p99, GOALS["live_behind_backlog_p99_s"], False),
        "backlog_copy_s": round(copy_s, 1),
        "backlog_out_s": out_s,
        "backlog_applied_s": applied_s,
        "backlog_applied_per_s": int(cfg.live_backlog / applied_s) if applied_s else None,
        # What each process spent while the live filings waited, per backlog event: the one near
        # the most ms per event is the queue the live filings stood in.
        "cpu_ms_per_backlog_event": {name: round(1000 * used / cfg.live_backlog, 3)
                                     for name, used in behind.cpu.items()},
        "machine_cpu_busy": round(behind.busy, 3),
    }
