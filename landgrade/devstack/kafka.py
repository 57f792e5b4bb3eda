"""Apache Kafka (KRaft, one node) fetched from Maven Central and run with `java -cp`.

The jars are resolved once with Maven into a per-user cache and reused by every later run and
every clone; storage is formatted once per data directory.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import string
import subprocess  # nosec B404  # starts the local broker from its jars
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from landgrade.devstack.ports import wait_for_port

KAFKA_DIR = Path(__file__).resolve().parents[2] / "deploy" / "local" / "kafka"


def default_cache() -> Path:
    base = Path(os.environ.get("LANDGRADE_CACHE", Path.home() / ".cache" / "landgrade"))
    return base / "kafka"


def kafka_version() -> str:
    pom = (KAFKA_DIR / "pom.xml").read_text()
    return pom.split("<kafka.version>")[1].split("</kafka.version>")[0]


def ensure_jars(cache: Path | None = None) -> Path:
    """Resolve the broker class path with Maven unless a complete copy is cached."""
    libs = (cache or default_cache()) / kafka_version() / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    tmp = libs.with_name("libs.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(  # nosec B603 B607  # Maven with fixed arguments
        ["mvn", "-q", "-B", "-f", str(KAFKA_DIR / "pom.xml"), "dependency:copy-dependencies",
         f"-DoutputDirectory={tmp}"],
        check=True,
    )
    shutil.rmtree(libs, ignore_errors=True)
    tmp.rename(libs)
    marker.touch()
    return libs


@dataclass
class KafkaBroker:
    data_dir: Path
    port: int = 9092
    controller_port: int = 9093
    partitions: int = 4
    heap: str = "512m"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _properties(self) -> Path:
        template = string.Template((KAFKA_DIR / "server.properties.template").read_text())
        text = template.substitute(
            port=self.port, controller_port=self.controller_port,
            log_dir=self.data_dir / "logs", partitions=self.partitions,
        )
        path = self.data_dir / "server.properties"
        path.write_text(text)
        return path

    def _java(self, libs: Path, *args: str) -> list[str]:
        return [
            "java", f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1",
            f"-Dlog4j2.configurationFile={KAFKA_DIR / 'log4j2.yaml'}",
            "-cp", f"{libs}/*", *args,
        ]

    def start(self, timeout: float = 90.0) -> None:
        libs = ensure_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        props = self._properties()
        # A data directory is formatted once; its meta.properties pins the cluster id afterwards.
        if not (self.data_dir / "logs" / "meta.properties").exists():
            subprocess.run(  # nosec B603  # the broker's own tool, fixed arguments
                self._java(libs, "kafka.tools.StorageTool", "format", "-t", cluster_id(),
                           "-c", str(props), "--ignore-formatted"),
                check=True, stdout=subprocess.DEVNULL,
            )
        log = (self.data_dir / "broker.log").open("ab")
        self.process = subprocess.Popen(  # nosec B603  # java with fixed arguments
            self._java(libs, "kafka.Kafka", str(props)), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout)
        asyncio.run(_wait_until_serving(self.bootstrap_servers, timeout))

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL, as a crash would; used by fault-injection tests."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def cluster_id() -> str:
    """16 random bytes in URL-safe base64 without padding, as Kafka expects. An id starting with
    "-" would be read as an option by the storage tool, so such ids are drawn again."""
    import base64

    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


async def _wait_until_serving(bootstrap: str, timeout: float) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.describe_cluster()
            return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
