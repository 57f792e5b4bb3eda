"""The production Kafka topology of landgrade: which service publishes and consumes which topic,
and every topic the cluster must hold with its settings.

One source for the Strimzi resources (`python -m landgrade.manifests`) and checked against
`deploy/kafka/lib.sh` (the scripts for clusters without an operator) and against what the services
declare (`bootstrap.PUBLISHES`, `entrypoints.consumers.SUBSCRIPTIONS`) by `tests/deploy`.
Pure data: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from landgrade_events.credit import ANCHORS, BENEFITS, RECORDS
from landgrade_events.enforcement import CASES, FINDINGS
from landgrade_events.evaluation import GRADES, GRADES_BULK, WARNINGS
from landgrade_events.registry import ENTERPRISES, PARCELS, REVENUE

__all__ = [
    "CONSUMES", "DLQ_RETENTION_MS", "DLQ_SUFFIX", "OUTSIDE_READERS", "PRODUCES", "SERVICES", "TopicSpec",
    "consumed_topics", "dlq_topic", "event_topics", "production_topics",
]

DLQ_SUFFIX = ".dlq"
# Time to notice a dead letter, fix its cause and replay it (servicekit.dlq) before it expires.
DLQ_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

SERVICES: tuple[str, ...] = ("parcel-registry", "evaluation", "credit-ledger", "enforcement")

# Topics a service publishes (its outbox relay writes them).
PRODUCES: dict[str, tuple[str, ...]] = {
    "parcel-registry": (PARCELS, ENTERPRISES, REVENUE),
    "evaluation": (GRADES, GRADES_BULK, WARNINGS),
    "credit-ledger": (RECORDS, BENEFITS, ANCHORS),
    "enforcement": (FINDINGS, CASES),
}

# Topics a service consumes; it also writes `<topic>.dlq` for each of them.
CONSUMES: dict[str, tuple[str, ...]] = {
    "parcel-registry": (),
    "evaluation": (PARCELS, ENTERPRISES, REVENUE, FINDINGS, CASES),
    "credit-ledger": (GRADES, GRADES_BULK, ENTERPRISES, CASES),
    "enforcement": (GRADES, GRADES_BULK, PARCELS),
}

# Clients outside landgrade that read published topics (no DLQ, their own consumer-group prefix,
# which is their name): the credit platform reads grades, on both lanes.
OUTSIDE_READERS: dict[str, tuple[str, ...]] = {
    "credit-platform": (GRADES, GRADES_BULK),
}


@dataclass(frozen=True, order=True)
class TopicSpec:
    name: str
    partitions: int = 12  # bounds consumer parallelism; never raise casually (keys move, order breaks)
    replication_factor: int = 3
    min_insync_replicas: int = 2  # with acks=all a write survives one lost broker
    retention_ms: int | None = None  # None: the broker's default (log.retention.*)


def dlq_topic(topic: str) -> str:
    return f"{topic}{DLQ_SUFFIX}"


def event_topics() -> list[str]:
    return sorted({topic for topics in PRODUCES.values() for topic in topics})


def consumed_topics() -> list[str]:
    return sorted({topic for topics in CONSUMES.values() for topic in topics})


def production_topics() -> list[TopicSpec]:
    """Every event topic, plus one dead-letter topic (30 days' retention) per consumed topic."""
    events = [TopicSpec(topic) for topic in event_topics()]
    dlqs = [TopicSpec(dlq_topic(topic), retention_ms=DLQ_RETENTION_MS) for topic in consumed_topics()]
    return sorted(events + dlqs)
