"""The four services as processes, each writing its spans to one JSON-lines file (OTEL_TRACES_FILE),
for the tests that follow a filing across them, scrape their metrics ports and run `landgrade status`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES, start_service, stop_processes, wait_ready
from landgrade.testing import Infra
from landgrade.testing_stack import Stack


@dataclass
class TracedStack:
    stack: Stack
    spans: Path

    def metrics_url(self, service: str) -> str:
        """The metrics port of a service: its API port + 1000 (METRICS_PORT unset)."""
        base, port = self.stack.urls[service].rsplit(":", 1)
        return f"{base}:{int(port) + 1000}/metrics"


# One stack for this package's tests, gone when they end: its processes consume the session's shared topics.
@pytest.fixture(scope="package")
def traced_stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TracedStack]:
    logs = tmp_path_factory.mktemp("observability")
    spans = logs / "spans.jsonl"
    run = uuid.uuid4().hex[:8]
    began = datetime.now(UTC).isoformat()  # earlier events on the shared topics are other suites'
    urls, processes = {}, []
    try:
        for spec in SERVICES:
            port = free_port()
            env = {"DATABASE_URL": infra.database_url(f"obs_{spec.database}_{run}"),
                   "KAFKA_CONSUMER_GROUP_PREFIX": f"obs-{run}", "KAFKA_CONSUMER_START_AT": began, "ENVIRONMENT": "test", "OUTBOX_POLL_SECONDS": "0.02",
                   "EVIDENCE_DIR": str(logs / "evidence"), "OTEL_TRACES_FILE": str(spans),
                   "OTEL_TRACES_SAMPLER_ARG": "1"}
            processes.append(start_service(spec, infra.bootstrap, infra.db_base, port=port, extra_env=env,
                                           log_dir=logs))
            urls[spec.name] = f"http://127.0.0.1:{port}"
        for spec, process in zip(SERVICES, processes, strict=True):
            # Four processes migrating and joining their groups at once: slow on a busy machine.
            wait_ready(urls[spec.name], timeout=300, process=process)
        yield TracedStack(Stack(urls, infra.bootstrap, logs), spans)
    finally:
        stop_processes(processes)
