"""Figure `tracing_cost`: end-to-end throughput with tracing on against off, in one run.

The same end-to-end measurement as `e2e_throughput` (shorter: `tracing_seconds` sustained) on
fresh services each time: as deployed without a trace exporter (the OpenTelemetry SDK is not even
loaded: each hook is one `is None` check); with `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a local
sink that accepts every export (so the cost measured is the services' own: spans, context
propagation through Kafka headers, batching and export — not a collector's), first as deployed
(`OTEL_TRACES_SAMPLER_ARG` at its default, a tenth of the traces recorded) and then recording
every trace; and off again. Goal: tracing on, as deployed, keeps at least 90 % of the throughput
with it off.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from bench import e2e
from bench.config import Config
from bench.stack import Infra, log, reset_topics
from bench.stats import ratio
from landgrade.devstack.ports import free_port
from servicekit.settings import ServiceSettings

GOAL_RATIO = 0.9  # judged on tracing as deployed ("on")


async def _sink(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An OTLP/HTTP endpoint that keeps nothing: reads each request whole and answers 200."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    port = free_port()
    server = await asyncio.start_server(_sink, "127.0.0.1", port)
    short = replace(cfg, e2e_seconds=cfg.tracing_seconds, e2e_fixed_s=min(cfg.e2e_fixed_s, 5.0))
    measured: dict[str, Any] = {}
    try:
        endpoint = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"}
        # "off" first and last: the baseline is their mean, and their difference is the run's drift
        # (a machine that slows as the runs go on would otherwise be charged to tracing).
        modes = (("off", {}), ("on", endpoint), ("every_trace", endpoint | {"OTEL_TRACES_SAMPLER_ARG": "1"}),
                 ("off_again", {}))
        for mode, env in modes:
            log(f"tracing: end-to-end with tracing {mode}")
            figures, _, stack = await e2e.run(infra, short, tag=f"tracing_{mode}", env=env)
            stack.stop()
            await reset_topics(infra.bootstrap)
            measured[mode] = {"filings_per_s": figures["filings_per_s"], "latency_p99_s": figures["latency_p99_s"],
                              "post_latency_p99_ms_at_500_per_s": figures["post_latency_p99_ms_at_500_per_s"],
                              "cpu_ms_per_filing": figures["sustained_run"]["cpu_ms_per_filing"],
                              "cpu_ms_per_filing_by_thread": figures["sustained_run"]["cpu_ms_per_filing_by_thread"]}
    finally:
        server.close()
        await server.wait_closed()
    off = (measured["off"]["filings_per_s"] + measured["off_again"]["filings_per_s"]) / 2
    on_vs_off = ratio(measured["on"]["filings_per_s"], off)
    return {"off": measured["off"], "off_again": measured["off_again"], "off_mean_filings_per_s": round(off, 1),
            "off_drift": ratio(measured["off_again"]["filings_per_s"], measured["off"]["filings_per_s"]),
            "on": measured["on"] | {"traces_recorded": ServiceSettings().otel_traces_sampler_arg},
            "on_vs_off_throughput": on_vs_off,
            "every_trace": measured["every_trace"] | {"traces_recorded": 1.0},
            "every_trace_vs_off_throughput": ratio(measured["every_trace"]["filings_per_s"], off),
            "goal": f"tracing on keeps >= {GOAL_RATIO:.0%} of the throughput with it off (mean of the two off runs)",
            "goal_met": on_vs_off is not None and on_vs_off >= GOAL_RATIO}
