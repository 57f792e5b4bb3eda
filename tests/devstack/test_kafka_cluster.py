"""The local 3-node KRaft cluster (KAFKA_NODES=3): its topics are the production specification's
(12 partitions, replication 3, min.insync.replicas 2, DLQ retention), an acks=all producer keeps
going when one node dies, and deploy/kafka/topics.sh runs against it with the fetched admin tools."""

from __future__ import annotations

import asyncio
import itertools
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from landgrade.devstack.kafka import KafkaCluster, described_by_each_broker, kafka_nodes, local_kafka, tools_bin
from landgrade_events.topics import TopicSpec, production_topics

pytestmark = pytest.mark.infra
TOPICS_SH = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "topics.sh"


async def described(bootstrap: str, names: list[str]) -> dict[str, TopicSpec]:
    """The topics as the cluster has them, in the specification's terms."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        topics = {t["topic"]: t for t in await admin.describe_topics(names) if t["error_code"] == 0}
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in topics])
    finally:
        await admin.close()
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for _code, _message, _type, name, entries in response.resources:
            configs[name] = {entry[0]: entry[1] for entry in entries}
    found = {}
    for name, topic in topics.items():
        replicas = {len(p["replicas"]) for p in topic["partitions"]}
        assert len(replicas) == 1, f"{name}: partitions with different replica counts {replicas}"
        retention = int(configs[name]["retention.ms"])
        found[name] = TopicSpec(name, len(topic["partitions"]), replicas.pop(),
                                int(configs[name]["min.insync.replicas"]),
                                retention if retention != 7 * 24 * 3600 * 1000 else None)
    return found


def test_cluster_topics_are_the_specification(kafka_cluster: KafkaCluster) -> None:
    spec = production_topics()
    found = asyncio.run(described(kafka_cluster.bootstrap_servers, [t.name for t in spec]))
    assert sorted(found.values()) == spec
    assert {t.replication_factor for t in spec} == {3} and {t.min_insync_replicas for t in spec} == {2}
    # Whichever broker a client asks: each one's own metadata has every topic, each partition led.
    by_broker = asyncio.run(described_by_each_broker(kafka_cluster.bootstrap_servers, [t.name for t in spec]))
    assert sorted(by_broker) == [1, 2, 3]
    for node, topics in by_broker.items():
        assert sorted((t["topic"], len(t["partitions"])) for t in topics if t["error_code"] == 0) == [
            (t.name, t.partitions) for t in spec], f"broker {node}"
        assert all(p["leader"] > 0 for t in topics for p in t["partitions"]), f"broker {node}"


def test_acks_all_producer_survives_one_dead_node(kafka_cluster: KafkaCluster) -> None:
    topic = "landgrade.evaluation.grades.v1"

    async def send(producer: AIOKafkaProducer, start: int, count: int) -> None:
        results = [await producer.send(topic, b"{}", key=f"YZ-{i:04d}".encode()) for i in range(start, start + count)]
        await asyncio.wait_for(asyncio.gather(*results), 60)

    async def scenario() -> float:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_cluster.bootstrap_servers, acks="all",
                                    enable_idempotence=True, request_timeout_ms=10000)
        await producer.start()
        try:
            await send(producer, 0, 50)
            kafka_cluster.kill(0)  # a crash: node 1 leads about a third of the partitions
            started = time.monotonic()
            await send(producer, 50, 100)  # every key, so every partition, some of which lost their leader
            return time.monotonic() - started
        finally:
            await producer.stop()

    try:
        took = asyncio.run(scenario())
    finally:
        kafka_cluster.restart(0)
    assert took < 60, f"100 acks=all sends took {took:.1f}s after a node died"
    # Every partition back to three in-sync replicas would take longer; one write needs two.
    found = asyncio.run(described(kafka_cluster.bootstrap_servers, [topic]))
    assert found[topic].replication_factor == 3


def test_topics_sh_commands_equal_the_specification() -> None:
    """What deploy/kafka/topics.sh would run (DRY_RUN) creates exactly the specified topics."""
    env = os.environ | {"KAFKA_BOOTSTRAP": "k:9092", "KAFKA_ADMIN_CONFIG": "/dev/null", "DRY_RUN": "1",
                        "KAFKA_BIN": "/kafka/bin"}
    out = subprocess.run(["bash", str(TOPICS_SH)], env=env, capture_output=True, text=True, check=True).stdout
    created = []
    for line in out.splitlines():
        words = shlex.split(line)
        if words and words[0] == "/kafka/bin/kafka-topics.sh" and "--create" in words:
            options = dict(itertools.pairwise(words))
            configs = dict(w.split("=", 1) for i, w in enumerate(words) if words[i - 1] == "--config")
            created.append(TopicSpec(options["--topic"], int(options["--partitions"]),
                                     int(options["--replication-factor"]), int(configs["min.insync.replicas"]),
                                     int(configs["retention.ms"]) if "retention.ms" in configs else None))
    assert sorted(created) == production_topics()


def test_admin_tools_are_fetched_with_the_broker(kafka_cluster: KafkaCluster) -> None:
    bin_dir = tools_bin()
    for tool in ("kafka-topics.sh", "kafka-configs.sh", "kafka-acls.sh", "kafka-consumer-groups.sh"):
        assert os.access(bin_dir / tool, os.X_OK), tool
    out = subprocess.run([str(bin_dir / "kafka-topics.sh"), "--bootstrap-server", kafka_cluster.bootstrap_servers,
                          "--describe", "--topic", "landgrade.credit.records.v1"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "PartitionCount: 12" in out and "ReplicationFactor: 3" in out and "min.insync.replicas=2" in out


@pytest.mark.skipif(os.environ.get("LANDGRADE_RELIABILITY") != "full",
                    reason="about 100 JVM starts; the dry run above checks the commands in the short run")
def test_topics_sh_recreates_deleted_topics_on_the_cluster(kafka_cluster: KafkaCluster) -> None:
    names = ["landgrade.credit.anchors.v1", "landgrade.enforcement.cases.v1.dlq"]

    async def delete() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_cluster.bootstrap_servers)
        await admin.start()
        try:
            await admin.delete_topics(names)
        finally:
            await admin.close()

    asyncio.run(delete())
    time.sleep(2)
    env = os.environ | {"KAFKA_BOOTSTRAP": kafka_cluster.bootstrap_servers, "KAFKA_ADMIN_SECURITY_PROTOCOL": "PLAINTEXT",
                        "KAFKA_BIN": str(tools_bin())}
    subprocess.run(["bash", str(TOPICS_SH)], env=env, check=True, timeout=600, capture_output=True)
    found = asyncio.run(described(kafka_cluster.bootstrap_servers, [t.name for t in production_topics()]))
    assert sorted(found.values()) == production_topics()


def test_kafka_nodes_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KAFKA_NODES", raising=False)
    assert kafka_nodes() == 1
    monkeypatch.setenv("KAFKA_NODES", "3")
    assert kafka_nodes() == 3
    cluster = local_kafka(tmp_path, 3, port=19092, controller_port=19093)
    assert isinstance(cluster, KafkaCluster)
    assert cluster.bootstrap_servers == "127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096"
    for bad in ("2", "0", "three"):
        monkeypatch.setenv("KAFKA_NODES", bad)
        with pytest.raises(ValueError, match="KAFKA_NODES"):
            kafka_nodes()
