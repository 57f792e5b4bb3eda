"""Prometheus metrics, one registry per service instance (never the global default registry,
so several services can live in one test process).

Counters move where the work happens. Gauges that describe state outside the process (the
outbox's unpublished rows, the consumer groups' committed offsets) are read when scraped, by the
probes registered in `before_scrape` (see `pipeline_probes`), each bounded in time: a slow
database makes the scrape slower, never hangs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

# A yearly run's states (evaluation's runs table); `yearly_run_state{state}` is 1 for the current one.
RUN_STATES = ("queued", "running", "draft", "published", "final", "failed", "superseded")
PROBE_SECONDS = 3.0

Probe = Callable[[], Awaitable[None]]


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    before_scrape: list[Probe] = field(default_factory=list)
    _run_states: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        r = self.registry
        # The process's CPU, memory and file descriptors and the interpreter's collector passes.
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.requests = Counter("http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
        self.latency = Histogram("http_request_seconds", "HTTP latency", ["method", "route"], registry=r)
        self.events_published = Counter("outbox_events_published", "events published", registry=r)
        self.events_consumed = Counter("events_consumed", "events applied", ["consumer", "event_type"], registry=r)
        self.events_duplicate = Counter("events_duplicate", "redeliveries skipped", ["consumer"], registry=r)
        self.events_dead_lettered = Counter("events_dead_lettered", "events sent to a DLQ",
                                            ["consumer", "event_type"], registry=r)
        self.outbox_backlog = Gauge("outbox_backlog_events", "outbox rows not yet published", registry=r)
        self.outbox_oldest_age = Gauge("outbox_oldest_unpublished_age_seconds",
                                       "age of the oldest unpublished outbox row (0 when none)", registry=r)
        self.consumer_lag = Gauge("consumer_lag_events", "records on the partition past the group's committed offset",
                                  ["consumer", "topic", "partition"], registry=r)
        self.consumer_commit_age = Gauge("consumer_last_commit_age_seconds",
                                         "seconds since this process last committed the consumer's offsets "
                                         "(or started it)", ["consumer"], registry=r)
        self.pool_in_use = Gauge("db_pool_connections_in_use", "database connections checked out", registry=r)
        self.pool_waiting = Gauge("db_pool_waiting", "tasks waiting for a database connection", registry=r)
        self.pool_capacity = Gauge("db_pool_capacity", "most connections the pool opens (size + overflow)",
                                   registry=r)
        self.probe_errors = Counter("telemetry_probe_errors", "scrape-time probes that failed or timed out",
                                    ["probe"], registry=r)
        self.run_parcels = Gauge("yearly_run_parcels", "a yearly run's parcels, graded and in all",
                                 ["run_id", "count"], registry=r)
        self.run_state = Gauge("yearly_run_state", "1 for the state a yearly run is in", ["run_id", "state"],
                               registry=r)
        self.runs_failed = Counter("yearly_runs_failed", "yearly runs that ended failed", registry=r)
        self.ledger_verifications = Counter("ledger_verifications", "credit-ledger chain verifications by outcome",
                                            ["outcome"], registry=r)
        for outcome in ("ok", "broken"):
            self.ledger_verifications.labels(outcome)

    def yearly_run_progress(self, run_id: str, values: Mapping[str, Any]) -> None:
        """The hook evaluation calls with each progress write of a yearly run (the same values it
        writes: `state`, `graded`, `total`; others are ignored). A run entering `failed` is
        counted once, however often that state is written."""
        state, graded, total = values.get("state"), values.get("graded"), values.get("total")
        if state is not None:
            if state == "failed" and self._run_states.get(run_id) != "failed":
                self.runs_failed.inc()
            self._run_states[run_id] = state
            for known in RUN_STATES:
                self.run_state.labels(run_id, known).set(1 if known == state else 0)
        if graded is not None:
            self.run_parcels.labels(run_id, "graded").set(graded)
        if total is not None:
            self.run_parcels.labels(run_id, "total").set(total)

    def ledger_verified(self, intact: bool) -> None:
        """The hook the credit ledger calls after each chain verification."""
        self.ledger_verifications.labels("ok" if intact else "broken").inc()

    async def render(self) -> bytes:
        """The exposition text, after every probe has refreshed its gauges (each bounded)."""
        for probe in self.before_scrape:
            name = getattr(probe, "__name__", "probe")
            try:
                await asyncio.wait_for(probe(), PROBE_SECONDS)
            except Exception:
                self.probe_errors.labels(name).inc()
        return generate_latest(self.registry)
