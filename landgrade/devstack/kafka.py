"""Apache Kafka (KRaft) fetched from Maven Central and run with `java -cp`: one node, or a cluster of
combined broker/controller nodes (`KAFKA_NODES=3`) whose topics are created from the production
topic specification (`landgrade_events.topics`).

The jars (the broker and its admin tools) are resolved once with Maven into a per-user cache, in a
directory named after the pom's content, and reused by every later run and every clone; storage is
formatted once per data directory. `tools_bin()` holds `kafka-topics.sh` and the other launchers
`deploy/kafka/*.sh` call (`KAFKA_BIN`).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import signal
import string
import subprocess  # nosec B404  # starts the local broker from its jars
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landgrade.devstack.ports import free_port, wait_for_port

KAFKA_DIR = Path(__file__).resolve().parents[2] / "deploy" / "local" / "kafka"

# The admin tools deploy/kafka/*.sh call, as the Kafka distribution's bin/ names them.
TOOLS = {
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "kafka.admin.ConfigCommand",
    "kafka-acls.sh": "org.apache.kafka.tools.AclCommand",
    "kafka-consumer-groups.sh": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "kafka-storage.sh": "kafka.tools.StorageTool",
}


def default_cache() -> Path:
    base = Path(os.environ.get("LANDGRADE_CACHE", Path.home() / ".cache" / "landgrade"))
    return base / "kafka"


def kafka_version() -> str:
    pom = (KAFKA_DIR / "pom.xml").read_text()
    return pom.split("<kafka.version>")[1].split("</kafka.version>")[0]


def kafka_home(cache: Path | None = None) -> Path:
    """One directory per pom content: a changed pom resolves anew and never disturbs the jars a
    running broker was started from."""
    digest = hashlib.sha256((KAFKA_DIR / "pom.xml").read_bytes()).hexdigest()[:12]
    return (cache or default_cache()) / kafka_version() / digest


def ensure_jars(cache: Path | None = None) -> Path:
    """Resolve the broker and tools class path with Maven unless a complete copy is cached."""
    home = kafka_home(cache)
    libs = home / "libs"
    if not (libs / ".complete").exists():
        # A private partial directory, renamed in one step: concurrent first runs never see half a copy.
        tmp = home / f"libs.partial-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(  # nosec B603 B607  # Maven with fixed arguments
            ["mvn", "-q", "-B", "-f", str(KAFKA_DIR / "pom.xml"), "dependency:copy-dependencies",
             f"-DoutputDirectory={tmp}"],
            check=True,
        )
        (tmp / ".complete").touch()
        try:
            tmp.rename(libs)
        except OSError:  # another process finished first; its copy is as good
            shutil.rmtree(tmp, ignore_errors=True)
    _write_tools(home / "bin", libs)
    return libs


def tools_bin(cache: Path | None = None) -> Path:
    """A `bin/` directory with the Kafka admin tools (`KAFKA_BIN` for deploy/kafka/*.sh)."""
    return ensure_jars(cache).parent / "bin"


def _write_tools(bin_dir: Path, libs: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, main_class in TOOLS.items():
        script = bin_dir / name
        text = ("#!/usr/bin/env bash\n# Written by landgrade.devstack.kafka: the Kafka tool from the cached jars.\n"
                f'exec java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="{KAFKA_DIR / "log4j2.yaml"}" '
                f'-cp "{libs}/*" {main_class} "$@"\n')
        if not script.exists() or script.read_text() != text:
            partial = script.with_name(f".{name}.{os.getpid()}")
            partial.write_text(text)
            partial.chmod(0o755)
            partial.replace(script)


@dataclass
class KafkaBroker:
    data_dir: Path
    port: int = 9092
    controller_port: int = 9093
    partitions: int = 4
    heap: str = "512m"
    node_id: int = 1
    # `id@host:port,...` of every controller; None: this node alone.
    voters: str | None = None
    replication: int = 1
    min_insync_replicas: int = 1
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _properties(self) -> Path:
        template = string.Template((KAFKA_DIR / "server.properties.template").read_text())
        text = template.substitute(
            port=self.port, controller_port=self.controller_port, node_id=self.node_id,
            voters=self.voters or f"{self.node_id}@127.0.0.1:{self.controller_port}",
            log_dir=self.data_dir / "logs", partitions=self.partitions,
            replication=self.replication, min_isr=self.min_insync_replicas,
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

    def launch(self, cluster: str | None = None) -> None:
        """Formats the storage once (with `cluster` as its id, or a new one) and starts the process
        without waiting: a node of a cluster serves only once a majority of controllers is up."""
        libs = ensure_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        props = self._properties()
        # A data directory is formatted once; its meta.properties pins the cluster id afterwards.
        if not (self.data_dir / "logs" / "meta.properties").exists():
            subprocess.run(  # nosec B603  # the broker's own tool, fixed arguments
                self._java(libs, "kafka.tools.StorageTool", "format", "-t", cluster or cluster_id(),
                           "-c", str(props), "--ignore-formatted"),
                check=True, stdout=subprocess.DEVNULL,
            )
        log = (self.data_dir / "broker.log").open("ab")
        self.process = subprocess.Popen(  # nosec B603  # java with fixed arguments
            self._java(libs, "kafka.Kafka", str(props)), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self, timeout: float = 90.0) -> None:
        self.launch()
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


@dataclass
class KafkaCluster:
    """`nodes` combined broker/controller nodes (a static quorum of all of them) on loopback, with
    every topic of the production specification created as production has it."""

    data_dir: Path
    nodes: int = 3
    ports: list[int] | None = None
    controller_ports: list[int] | None = None
    heap: str = "256m"
    brokers: list[KafkaBroker] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.nodes < 3:
            raise ValueError(f"a Kafka cluster needs at least 3 nodes for replication 3, not {self.nodes}")
        ports = self.ports or [free_port() for _ in range(self.nodes)]
        controllers = self.controller_ports or [free_port() for _ in range(self.nodes)]
        voters = ",".join(f"{i + 1}@127.0.0.1:{c}" for i, c in enumerate(controllers))
        self.brokers = [
            KafkaBroker(self.data_dir / f"node-{i + 1}", port=ports[i], controller_port=controllers[i],
                        partitions=12, heap=self.heap, node_id=i + 1, voters=voters, replication=3,
                        min_insync_replicas=2)
            for i in range(self.nodes)
        ]

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(b.bootstrap_servers for b in self.brokers)

    def _cluster_id(self) -> str:
        """One id for every node, kept beside them so a restarted cluster formats nothing anew."""
        path = self.data_dir / "cluster-id"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(cluster_id())
        return path.read_text().strip()

    def start(self, timeout: float = 120.0) -> None:
        ensure_jars()
        ident = self._cluster_id()
        for broker in self.brokers:
            broker.launch(ident)
        for broker in self.brokers:
            wait_for_port(broker.port, timeout)
        asyncio.run(self._ready(timeout))

    async def _ready(self, timeout: float) -> None:
        await _wait_until_serving(self.bootstrap_servers, timeout, brokers=self.nodes)
        await create_specified_topics(self.bootstrap_servers)

    def restart(self, index: int, timeout: float = 90.0) -> None:
        """Starts node `index` again (after `kill`) and waits until the cluster counts it."""
        broker = self.brokers[index]
        broker.launch()
        wait_for_port(broker.port, timeout)
        asyncio.run(_wait_until_serving(self.bootstrap_servers, timeout, brokers=self.nodes))

    def kill(self, index: int) -> None:
        self.brokers[index].kill()

    def stop(self, timeout: float = 30.0) -> None:
        for broker in self.brokers:
            if broker.process is not None and broker.process.poll() is None:
                broker.process.send_signal(signal.SIGTERM)
        for broker in self.brokers:
            broker.stop(timeout)


LocalKafka = KafkaBroker | KafkaCluster


def kafka_nodes() -> int:
    """`KAFKA_NODES`: 1 (default) or a cluster of at least 3 combined nodes."""
    value = os.environ.get("KAFKA_NODES", "1").strip() or "1"
    try:
        nodes = int(value)
    except ValueError:
        raise ValueError(f"KAFKA_NODES must be a number of nodes (1, or 3 and more), not {value!r}") from None
    if nodes == 2 or nodes < 1:
        raise ValueError(f"KAFKA_NODES must be 1 or at least 3 (replication 3 needs three nodes), not {nodes}")
    return nodes


def local_kafka(data_dir: Path, nodes: int = 1, *, port: int | None = None, controller_port: int | None = None,
                heap: str | None = None) -> LocalKafka:
    """One node on `port` (replication 1), or a cluster under `data_dir/cluster` whose nodes listen
    on `port`, `port + 2`, ... (controllers on `controller_port`, `controller_port + 2`, ...)."""
    if nodes == 1:
        return KafkaBroker(data_dir, port=port or free_port(), controller_port=controller_port or free_port(),
                           heap=heap or "512m")
    ports = [port + 2 * i for i in range(nodes)] if port else None
    controllers = [controller_port + 2 * i for i in range(nodes)] if controller_port else None
    return KafkaCluster(data_dir / "cluster", nodes, ports, controllers, heap=heap or "256m")


async def create_specified_topics(bootstrap: str, timeout: float = 60.0) -> list[str]:
    """Creates every topic of the production specification that does not exist yet, with its
    partitions, replication factor, `min.insync.replicas` and retention; returns those created."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    from landgrade_events.topics import production_topics

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in production_topics() if spec.name not in existing]
        new = []
        for spec in missing:
            config = {"min.insync.replicas": str(spec.min_insync_replicas)}
            if spec.retention_ms is not None:
                config["retention.ms"] = str(spec.retention_ms)
            new.append(NewTopic(spec.name, spec.partitions, spec.replication_factor, topic_configs=config))
        if new:
            response = await admin.create_topics(new)
            for name, code, *rest in response.topic_errors:
                # Another client may have created one between the list and the create.
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise RuntimeError(f"creating topic {name} failed: error {code} {rest[-1] if rest else ''}")
    finally:
        await admin.close()
    await _until_led(bootstrap, [spec.name for spec in production_topics()], timeout)
    return [spec.name for spec in missing]


async def described_by_each_broker(bootstrap: str, names: list[str]) -> dict[int, list[dict[str, Any]]]:
    """Each broker's own metadata for the topics `names`, by node id. A metadata request goes to any
    one broker, and brokers learn of a new topic from the controller at their own pace, so what
    one broker says is not what every client will hear."""
    from aiokafka.client import AIOKafkaClient
    from aiokafka.protocol.metadata import MetadataRequest

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await client.bootstrap()
    try:
        nodes = sorted(broker.nodeId for broker in client.cluster.brokers())
        return {node: (await client.send(node, MetadataRequest(names))).to_object()["topics"] for node in nodes}
    finally:
        await client.close()


async def _until_led(bootstrap: str, names: list[str], timeout: float) -> None:
    """Waits until every broker knows each topic and every partition has a leader: the controller
    answers a creation before the brokers' metadata has it, and a service checking its topics (or a
    test describing them) would find them missing on a broker that is behind."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        waiting = sorted({t["topic"] for described in (await described_by_each_broker(bootstrap, names)).values()
                          for t in described if t["error_code"] != 0 or not t["partitions"]
                          or any(p["leader"] < 0 for p in t["partitions"])})
        if not waiting:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"topics without a leader after {timeout:.0f}s: {waiting}")
        await asyncio.sleep(0.25)


def cluster_id() -> str:
    """16 random bytes in URL-safe base64 without padding, as Kafka expects. An id starting with
    "-" would be read as an option by the storage tool, so such ids are drawn again."""
    import base64

    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


async def _wait_until_serving(bootstrap: str, timeout: float, brokers: int = 1) -> None:
    """Until the cluster answers and counts `brokers` registered brokers."""
    from aiokafka.admin import AIOKafkaAdminClient

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await admin.start()
            described = await admin.describe_cluster()
            if len(described.get("brokers", [])) >= brokers:
                return
            raise RuntimeError(f"{len(described.get('brokers', []))} of {brokers} brokers registered")
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
