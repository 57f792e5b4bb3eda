"""The four services as separate OS processes, each of which can be killed, restarted, paused and
resumed: what the fault-injection and personal-data suites act on."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES, ServiceSpec, start_service, stop_processes, wait_ready


@dataclass
class ServiceProcess:
    spec: ServiceSpec
    port: int
    env: dict[str, str]
    bootstrap: str
    db_base: str
    logs: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.logs / f"{self.spec.name}.log"

    def start(self) -> None:
        self.process = start_service(self.spec, self.bootstrap, self.db_base, port=self.port, extra_env=self.env,
                                     log_dir=self.logs)

    def wait_ready(self, timeout: float = 120.0) -> None:
        wait_ready(self.url, timeout=timeout, process=self.process)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


@dataclass
class ProcessStack:
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    @classmethod
    def start(cls, bootstrap: str, db_base: str, logs: Path, ready_timeout: float = 120.0, **env: str) -> ProcessStack:
        run = uuid.uuid4().hex[:8]
        began = datetime.now(UTC).isoformat()  # earlier events on the shared topics are other suites'
        stack = cls()
        for spec in SERVICES:
            service_env = {
                "DATABASE_URL": db_base.rsplit("/", 1)[0] + f"/rel_{spec.database}_{run}",
                "KAFKA_CONSUMER_GROUP_PREFIX": f"rel-{run}", "KAFKA_CONSUMER_START_AT": began, "ENVIRONMENT": "test", "OUTBOX_POLL_SECONDS": "0.02",
                "EVIDENCE_DIR": str(logs / "evidence"), **env,
            }
            service = ServiceProcess(spec, free_port(), service_env, bootstrap, db_base, logs)
            stack.services[spec.name] = service
        try:
            for service in stack.services.values():
                service.start()
            for service in stack.services.values():
                service.wait_ready(ready_timeout)
        except BaseException:
            stack.stop()
            raise
        return stack

    def replica(self, logs: Path, ready_timeout: float = 120.0) -> ProcessStack:
        """A second process of every service on the same databases and consumer groups, as a
        second replica runs: it shares partitions, and competes for each relay's lease."""
        other = ProcessStack()
        for name, service in self.services.items():
            other.services[name] = ServiceProcess(service.spec, free_port(), dict(service.env), service.bootstrap,
                                                  service.db_base, logs)
        try:
            for service in other.services.values():
                service.start()
            for service in other.services.values():
                service.wait_ready(ready_timeout)
        except BaseException:
            other.stop()
            raise
        return other

    def url(self, name: str) -> str:
        return self.services[name].url

    def database_url(self, name: str) -> str:
        return self.services[name].env["DATABASE_URL"]

    def stop(self) -> None:
        for service in self.services.values():
            if service.process is not None and service.process.poll() is None:
                service.resume()  # a paused process cannot act on SIGTERM
        stop_processes([s.process for s in self.services.values() if s.process is not None])
