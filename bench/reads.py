"""Figure 4 (`read_vs_hello`): `GET /v1/parcels/{id}/grade` against a bare FastAPI hello endpoint.

Both are served the same way (uvicorn, one worker, uvloop, httptools) and driven by the same
closed-loop client with the same number of keep-alive connections; rounds alternate (hello,
grade, hello, grade) so a drift of the machine touches both alike. The grade endpoint is the
evaluation service of the end-to-end stack, with that run's grades in its database, after the
pipeline has drained (the other services idle). Also measured here: the hello endpoint at a fixed
500 requests/s, the baseline for the POST latency of figure 1.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from collections import Counter
from statistics import mean
from typing import Any

from bench import loadgen
from bench.config import Config
from bench.e2e import bearer
from bench.stack import ROOT, Stack, cpu_seconds, log
from bench.stats import GOALS, latency_summary, meets, rate, ratio
from landgrade.devstack.ports import free_port, wait_for_port


def start_hello(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bench.hello", str(port)], cwd=ROOT)


async def settle(stack: Stack, timeout: float = 60) -> None:
    """Waits until the services are idle (a backlog left by the e2e run would steal the CPU)."""
    pids = list(stack.pids().values())
    for _ in range(int(timeout)):
        before = sum(cpu_seconds(p) for p in pids)
        await asyncio.sleep(1)
        if sum(cpu_seconds(p) for p in pids) - before < 0.1:
            return
    log("reads: the services did not settle; measuring anyway")


def _rps(result: loadgen.Result) -> float:
    return result.ok((200,)) / (result.finished - result.started)


async def run(stack: Stack, parcel_ids: list[str], cfg: Config) -> tuple[dict[str, Any], dict[str, Any]]:
    """Returns (read_vs_hello figures, hello at 500/s baseline)."""
    await settle(stack)
    port = free_port()
    hello = start_hello(port)
    try:
        wait_for_port(port, 30)
        evaluation = stack.services["evaluation"]
        token = bearer("credit-platform")
        hello_raw = loadgen.request_bytes("GET", "/hello", f"127.0.0.1:{port}")
        rng = random.Random(4)
        grade_raw = [loadgen.request_bytes("GET", f"/v1/parcels/{pid}/grade", f"127.0.0.1:{evaluation.port}",
                                           {"Authorization": token}) for pid in parcel_ids]
        rng.shuffle(grade_raw)
        hello_pool = loadgen.Pool("127.0.0.1", port, cfg.read_connections)
        grade_pool = loadgen.Pool("127.0.0.1", evaluation.port, cfg.read_connections)
        # Warm both (connections, caches, the first request's imports) before measuring.
        await loadgen.closed_loop(hello_pool, lambda i: hello_raw, cfg.read_connections, 1.0)
        await loadgen.closed_loop(grade_pool, lambda i: grade_raw[i % len(grade_raw)], cfg.read_connections, 1.0)
        hello_runs, grade_runs = [], []
        for round_ in range(cfg.read_rounds):
            log(f"reads: round {round_ + 1}/{cfg.read_rounds}, {cfg.read_seconds:.0f}s each")
            hello_runs.append(await loadgen.closed_loop(hello_pool, lambda i: hello_raw, cfg.read_connections,
                                                        cfg.read_seconds))
            grade_runs.append(await loadgen.closed_loop(grade_pool, lambda i: grade_raw[i % len(grade_raw)],
                                                        cfg.read_connections, cfg.read_seconds))
        log(f"reads: hello at a fixed {cfg.fixed_rate:.0f} requests/s for {cfg.e2e_fixed_s:.0f}s")
        fixed = await loadgen.open_loop(hello_pool, lambda i: hello_raw, cfg.fixed_rate, cfg.e2e_fixed_s)
        hello_pool.close()
        grade_pool.close()
    finally:
        hello.terminate()
        hello.wait(20)
    hello_rps, grade_rps = mean(_rps(r) for r in hello_runs), mean(_rps(r) for r in grade_runs)
    value = ratio(grade_rps, hello_rps)
    figures = {
        "what": "GET /v1/parcels/{id}/grade requests/s ÷ bare FastAPI hello requests/s, same server setup",
        "load_generator": f"bench.loadgen closed loop, {cfg.read_connections} keep-alive connections",
        "ratio": value,
        "goal": GOALS["read_vs_hello"],
        "goal_met": meets(value, GOALS["read_vs_hello"], True),
        "grade_rps": round(grade_rps, 1),
        "hello_rps": round(hello_rps, 1),
        "grade_rounds_rps": [round(_rps(r), 1) for r in grade_runs],
        "hello_rounds_rps": [round(_rps(r), 1) for r in hello_runs],
        "grade_latency": latency_summary([x for r in grade_runs for x in r.latencies]),
        "hello_latency": latency_summary([x for r in hello_runs for x in r.latencies]),
        "grade_statuses": dict(sum((Counter(r.statuses()) for r in grade_runs), Counter())),
    }
    baseline = {"hello_at_500_per_s": {**latency_summary(fixed.latencies),
                                       "achieved_per_s": rate(fixed.ok((200,)), fixed.finished - fixed.started)}}
    return figures, baseline
