"""`make bench` (`python -m bench`): every benchmark against real PostgreSQL and Kafka, one JSON
document on stdout, progress on stderr. See bench/README.md for what each figure means."""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any

import uvloop

from bench import backtest, e2e, imports, ingest, live, reads, relay, stages, tracing, yearly
from bench import map as map_draw
from bench.capacity import save_figures
from bench.config import Config, from_env
from bench.stack import Infra, infrastructure, log, reset_topics
from bench.stats import document, ratio


async def main(infra: Infra, cfg: Config, started: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    baseline: dict[str, Any] = {}
    if "e2e" in cfg.sections:
        e2e_figures, memory, stack = await e2e.run(infra, cfg)
        figures["e2e_throughput"], figures["memory"] = e2e_figures, memory
        try:
            if "reads" in cfg.sections:
                parcels = [f"BENCH-e2e-{i:05d}" for i in range(e2e_figures["parcels"])]
                figures["read_vs_hello"], hello = await reads.run(stack, parcels, cfg)
                baseline.update(hello)
                post_p99 = e2e_figures["post_latency_p99_ms_at_500_per_s"]
                e2e_figures["post_p99_vs_hello_p99_at_500_per_s"] = ratio(
                    post_p99, hello["hello_at_500_per_s"]["p99_ms"], 2)
                e2e_figures["filings_per_s_vs_hello_rps"] = ratio(
                    e2e_figures["filings_per_s"], figures["read_vs_hello"]["hello_rps"], 4)
        finally:
            stack.stop()
        await reset_topics(infra.bootstrap)
    if "stages" in cfg.sections:
        figures["pipeline_stages"] = await stages.run(infra, cfg)
        await reset_topics(infra.bootstrap)
    if "ingest" in cfg.sections:
        figures["batch_ingest_vs_floor"] = await ingest.run(infra, cfg)
        await reset_topics(infra.bootstrap)
    if "yearly" in cfg.sections:
        figures["yearly_run"] = await yearly.run(infra, cfg)
    if "relay" in cfg.sections:
        figures["relay_drain"] = await relay.run(infra, cfg)
    if "live" in cfg.sections:
        await reset_topics(infra.bootstrap)
        figures["live_behind_backlog"] = await live.run(infra, cfg)
        await reset_topics(infra.bootstrap)
    if "import" in cfg.sections:
        figures["import_healthz"] = await imports.run(infra, cfg)
    if "tracing" in cfg.sections:
        figures["tracing_cost"] = await tracing.run(infra, cfg)
    if "backtest" in cfg.sections:
        figures["warning_backtest"] = backtest.run(cfg)
    if "map" in cfg.sections:
        await reset_topics(infra.bootstrap)
        figures["map_draw"] = await map_draw.run(infra, cfg)
    meta = {
        "mode": "quick" if cfg.quick else "full",
        "sections": list(cfg.sections),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "python_loop_s": python_loop_s()},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.monotonic() - started, 1),
        "profiled": os.environ.get("BENCH_PROFILE") or None,
        "baseline": baseline,
    }
    return {"meta": meta, "figures": figures}


def python_loop_s() -> float:
    """Seconds this machine takes for a fixed pure-Python loop, at the end of the run: the same
    code measured on a machine twice as slow takes twice as long, so figures from different runs
    compare only after dividing by this."""
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return round(time.perf_counter() - started, 3)


def run() -> None:
    cfg = from_env()
    started = time.monotonic()
    # Outside the event loop: the devstack starts Kafka with its own asyncio.run.
    with infrastructure() as infra:
        result = uvloop.run(main(infra, cfg, started))
    text = document(result["meta"], result["figures"])
    (cfg.out_dir / "last.json").write_text(text + "\n")  # kept for comparing runs
    save_figures(cfg.out_dir, result["meta"], result["figures"])  # the capacity table's sources
    print(text)
    log(f"done in {result['meta']['seconds']}s")


if __name__ == "__main__":
    try:
        run()
    except KeyboardInterrupt:
        sys.exit(130)
