"""Prometheus metrics, one registry per service instance (never the global default registry,
so several services can live in one test process)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter("http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
        self.latency = Histogram("http_request_seconds", "HTTP latency", ["method", "route"], registry=r)
        self.events_published = Counter("outbox_events_published", "events published", registry=r)
        self.events_consumed = Counter("events_consumed", "events applied", ["consumer"], registry=r)
        self.events_duplicate = Counter("events_duplicate", "redeliveries skipped", ["consumer"], registry=r)
        self.events_dead_lettered = Counter("events_dead_lettered", "events sent to a DLQ", ["consumer"],
                                            registry=r)
