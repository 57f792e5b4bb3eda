"""The four services as separate processes on the session's real PostgreSQL and Kafka, driven
only through their REST APIs and Kafka topics, as outside systems drive them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES, start_service, stop_processes, wait_ready
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


# Module scope: the four processes consume the session's shared topics, so they must be gone
# before other suites publish events they would otherwise act on too.
@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    run = uuid.uuid4().hex[:8]
    logs = tmp_path_factory.mktemp("e2e-logs")
    urls, processes = {}, []
    try:
        for spec in SERVICES:
            port = free_port()
            env = {
                "DATABASE_URL": infra.database_url(f"e2e_{spec.database}_{run}"),
                "KAFKA_CONSUMER_GROUP_PREFIX": f"e2e-{run}",
                "ENVIRONMENT": "test",
                "OUTBOX_POLL_SECONDS": "0.02",
                "EVIDENCE_DIR": str(logs / "evidence"),
            }
            processes.append(start_service(spec, infra.bootstrap, infra.db_base, port=port, extra_env=env,
                                           log_dir=logs))
            urls[spec.name] = f"http://127.0.0.1:{port}"
        for spec, process in zip(SERVICES, processes, strict=True):
            wait_ready(urls[spec.name], timeout=120, process=process)
        yield Stack(urls, infra.bootstrap, logs)
    finally:
        stop_processes(processes)
