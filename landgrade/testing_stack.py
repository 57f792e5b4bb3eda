"""The four services as separate processes on a test session's real PostgreSQL and Kafka, driven
only through their REST APIs and Kafka topics, as outside systems drive them (e2e tests, the
README's examples)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES, start_service, stop_processes, wait_ready

if TYPE_CHECKING:
    from landgrade.testing import Infra


@dataclass
class Stack:
    urls: dict[str, str]
    bootstrap: str
    logs: Path

    @property
    def registry(self) -> str:
        return self.urls["parcel-registry"]

    @property
    def evaluation(self) -> str:
        return self.urls["evaluation"]

    @property
    def credit(self) -> str:
        return self.urls["credit-ledger"]

    @property
    def enforcement(self) -> str:
        return self.urls["enforcement"]


@contextmanager
def running_stack(infra: Infra, logs: Path, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Fresh databases and consumer groups of their own; every process stopped on the way out.
    The processes consume the session's shared topics from the moment the stack starts (earlier
    events are other suites'); callers keep a stack no longer than a module, or other suites'
    events would be acted on too."""
    run = uuid.uuid4().hex[:8]
    began = datetime.now(UTC).isoformat()
    urls, processes = {}, []
    try:
        for spec in SERVICES:
            port = free_port()
            env = {
                "DATABASE_URL": infra.database_url(f"e2e_{spec.database}_{run}"),
                "KAFKA_CONSUMER_GROUP_PREFIX": f"e2e-{run}",
                "KAFKA_CONSUMER_START_AT": began,
                "ENVIRONMENT": "test",
                "OUTBOX_POLL_SECONDS": "0.02",
                "EVIDENCE_DIR": str(logs / "evidence"),
            } | (extra_env or {})
            processes.append(start_service(spec, infra.bootstrap, infra.db_base, port=port, extra_env=env,
                                           log_dir=logs))
            urls[spec.name] = f"http://127.0.0.1:{port}"
        for spec, process in zip(SERVICES, processes, strict=True):
            wait_ready(urls[spec.name], timeout=120, process=process)
        yield Stack(urls, infra.bootstrap, logs)
    finally:
        stop_processes(processes)
