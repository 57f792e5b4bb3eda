"""The four services as separate processes on a test session's real PostgreSQL and Kafka, driven
only through their REST APIs and Kafka topics, as outside systems drive them (e2e tests, the
README's examples)."""

from __future__ import annotations

import subprocess  # nosec B404  # the services' processes, restarted by name
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    # Set by running_stack, whose processes it restarts (see `restart`).
    restarter: Callable[[str, dict[str, str]], None] | None = field(default=None, repr=False)

    def restart(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        """Stops service `name` and starts it again on its own database, consumer group and port,
        with `extra_env` over the stack's environment (e.g. another CLOCK_AT): an operator's restart."""
        if self.restarter is None:
            raise RuntimeError("this stack does not restart its services")
        self.restarter(name, extra_env or {})

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
    urls: dict[str, str] = {}
    ports: dict[str, int] = {}
    envs: dict[str, dict[str, str]] = {}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    specs = {spec.name: spec for spec in SERVICES}

    def start(name: str, more: dict[str, str]) -> None:
        processes[name] = start_service(specs[name], infra.bootstrap, infra.db_base, port=ports[name],
                                        extra_env=envs[name] | more, log_dir=logs)

    def restart(name: str, more: dict[str, str]) -> None:
        stop_processes([processes[name]])
        start(name, more)
        wait_ready(urls[name], timeout=120, process=processes[name])

    try:
        for spec in SERVICES:
            ports[spec.name] = free_port()
            urls[spec.name] = f"http://127.0.0.1:{ports[spec.name]}"
            envs[spec.name] = {
                "DATABASE_URL": infra.database_url(f"e2e_{spec.database}_{run}"),
                "KAFKA_CONSUMER_GROUP_PREFIX": f"e2e-{run}",
                "KAFKA_CONSUMER_START_AT": began,
                "ENVIRONMENT": "test",
                "OUTBOX_POLL_SECONDS": "0.02",
                "EVIDENCE_DIR": str(logs / "evidence"),
            } | (extra_env or {})
            start(spec.name, {})
        for spec in SERVICES:
            wait_ready(urls[spec.name], timeout=120, process=processes[spec.name])
        yield Stack(urls, infra.bootstrap, logs, restart)
    finally:
        stop_processes(list(processes.values()))
