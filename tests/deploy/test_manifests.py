"""The Kubernetes deployment stays in step with the code: the generated operator resources are
current, every overlay builds, and the Kafka topology (landgrade_events.topics) matches
deploy/kafka/lib.sh, what the services declare, and the KafkaUser ACLs."""

from __future__ import annotations

import importlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from landgrade import manifests
from landgrade_events.topics import (
    CONSUMES,
    DLQ_RETENTION_MS,
    OUTSIDE_READERS,
    PRODUCES,
    SERVICES,
    TopicSpec,
    production_topics,
)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
LIB_SH = ROOT / "deploy" / "kafka" / "lib.sh"
# Every kustomization (not component) that must build.
OVERLAYS = ["overlays/strimzi", "overlays/cloudnative-pg", "overlays/cloudnative-pg/migrate", "overlays/production",
            ".", "migrate", "platform/kafka"]
def _tool(name: str) -> str:
    """A tool the checks need (`make lint` needs both too): missing is a failure, never a skip."""
    found = shutil.which(name)
    assert found is not None, f"{name} is needed to check the deployment files"
    return found


def build(overlay: str) -> list[dict[str, Any]]:
    result = subprocess.run([_tool("kubectl"), "kustomize", str(K8S / overlay)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def of_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


def test_generated_manifests_are_current() -> None:
    assert manifests.drift(manifests.generate()) == [], "run: python -m landgrade.manifests write"
    assert manifests.main(["check"]) == 0


def test_every_kustomization_under_overlays_is_listed() -> None:
    found = {str(p.parent.relative_to(K8S)) for p in (K8S / "overlays").rglob("kustomization.yaml")
             if "kind: Kustomization" in p.read_text()}
    assert found == {o for o in OVERLAYS if o.startswith("overlays/")}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_builds(overlay: str) -> None:
    assert build(overlay)


def test_strimzi_topics_equal_the_specification() -> None:
    for overlay in ("overlays/strimzi", "overlays/production"):
        built = []
        for topic in of_kind(build(overlay), "KafkaTopic").values():
            assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "landgrade"
            assert topic["metadata"]["name"] == topic["spec"]["topicName"]
            config = topic["spec"]["config"]
            assert set(config) <= {"min.insync.replicas", "retention.ms"}
            built.append(TopicSpec(topic["spec"]["topicName"], topic["spec"]["partitions"], topic["spec"]["replicas"],
                                   config["min.insync.replicas"], config.get("retention.ms")))
        assert sorted(built) == production_topics()


def test_production_topics() -> None:
    topics = {t.name: t for t in production_topics()}
    published = {t for ts in PRODUCES.values() for t in ts}
    consumed = {t for ts in CONSUMES.values() for t in ts}
    assert set(topics) == published | {f"{t}.dlq" for t in consumed}
    assert consumed <= published
    assert all(t.partitions == 12 and t.replication_factor == 3 and t.min_insync_replicas == 2 for t in topics.values())
    assert {n for n, t in topics.items() if t.retention_ms == DLQ_RETENTION_MS} == {f"{t}.dlq" for t in consumed}
    assert DLQ_RETENTION_MS == 30 * 24 * 3600 * 1000


def _lib_sh(function: str, service: str) -> tuple[str, ...]:
    result = subprocess.run([_tool("bash"), "-c", f'source "$0"; {function} "$1"', str(LIB_SH), service],
                            capture_output=True, text=True, timeout=30, check=True)
    return tuple(result.stdout.split())


@pytest.mark.parametrize("service", SERVICES)
def test_lib_sh_equals_the_specification(service: str) -> None:
    assert _lib_sh("produces", service) == PRODUCES[service]
    assert _lib_sh("consumes", service) == CONSUMES[service]


def test_lib_sh_lists_the_same_services() -> None:
    result = subprocess.run([_tool("bash"), "-c", 'source "$0"; echo "${SERVICES[@]}"', str(LIB_SH)],
                            capture_output=True, text=True, timeout=30, check=True)
    assert tuple(result.stdout.split()) == SERVICES == tuple(manifests.PACKAGES)


@pytest.mark.parametrize("service", SERVICES)
def test_specification_equals_what_the_services_declare(service: str) -> None:
    package = manifests.PACKAGES[service]
    publishes = importlib.import_module(f"{package}.bootstrap").PUBLISHES
    subscriptions = importlib.import_module(f"{package}.entrypoints.consumers").SUBSCRIPTIONS
    assert sorted(publishes) == sorted(PRODUCES[service])
    assert sorted({t for s in subscriptions for t in s.topics}) == sorted(CONSUMES[service])
    groups = [s.group for s in subscriptions]
    assert len(set(groups)) == len(groups), f"{service}: a consumer group is declared twice"
    assert manifests.consumer_groups()[service] == tuple(sorted(groups))
    # A bulk lane reads the bulk topics of its live lane's event types, in a group of its own.
    for lane in (s for s in subscriptions if s.bulk):
        assert lane.group == f"{lane.consumer}.bulk" and lane.consumer in groups
        assert lane.topics and all(t in CONSUMES[service] for t in lane.topics)


def _acl_grants(user: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """(resource type, name, pattern, operation) for every ACL of a KafkaUser."""
    grants = set()
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert acl.get("host", "*") == "*"
        for operation in acl["operations"]:
            grants.add((resource["type"], resource.get("name", ""), resource.get("patternType", ""), operation))
    return grants


def test_kafka_users_grant_exactly_each_services_topics_and_groups() -> None:
    users = of_kind(build("overlays/strimzi"), "KafkaUser")
    assert set(users) == set(SERVICES) | set(OUTSIDE_READERS)
    for service in SERVICES:
        user = users[service]
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "landgrade"
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["spec"]["authorization"]["type"] == "simple"
        package = manifests.PACKAGES[service]
        subscriptions = importlib.import_module(f"{package}.entrypoints.consumers").SUBSCRIPTIONS
        consumed = {t for s in subscriptions for t in s.topics}
        expected = {("cluster", "", "", "IdempotentWrite")}
        for topic in PRODUCES[service]:
            expected |= {("topic", topic, "literal", "Write"), ("topic", topic, "literal", "Describe")}
        for topic in consumed:
            expected |= {("topic", topic, "literal", "Read"), ("topic", topic, "literal", "Describe"),
                         ("topic", f"{topic}.dlq", "literal", "Write"), ("topic", f"{topic}.dlq", "literal", "Describe")}
        # One prefixed ACL per live group; a bulk lane's group (`<consumer>.bulk`) falls under its live group's.
        expected |= {("group", f"landgrade.{s.group}", "prefix", "Read") for s in subscriptions if not s.bulk}
        assert _acl_grants(user) == expected, service
        prefixes = {name for kind, name, pattern, _ in expected if kind == "group" and pattern == "prefix"}
        for s in subscriptions:
            assert any(f"landgrade.{s.group}".startswith(prefix) for prefix in prefixes), (service, s.group)
    for client, topics in OUTSIDE_READERS.items():
        expected = {("topic", t, "literal", op) for t in topics for op in ("Read", "Describe")}
        assert _acl_grants(users[client]) == expected | {("group", client, "prefix", "Read")}


def test_services_use_the_strimzi_users_and_the_pooler() -> None:
    documents = build("overlays/production")
    config = next(d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("landgrade-config"))
    assert config["data"]["KAFKA_BOOTSTRAP_SERVERS"] == "landgrade-kafka-bootstrap.landgrade-data:9093"
    assert config["data"]["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["data"]["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    cluster = of_kind(documents, "Cluster")["landgrade-pg"]
    assert cluster["spec"]["instances"] == 3
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in of_kind(documents, "Database").values()}
    pooler = of_kind(documents, "Pooler")["landgrade-pg-pooler-rw"]
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "session"
    deployments = of_kind(documents, "Deployment")
    for service in SERVICES:
        db = manifests.database(service)
        assert roles[db]["login"] and roles[db]["passwordSecret"]["name"] == f"landgrade-pg-{service}"
        assert databases[db]["owner"] == db and databases[db]["cluster"]["name"] == "landgrade-pg"
        env = {e["name"]: e for e in deployments[service]["spec"]["template"]["spec"]["containers"][0]["env"]}
        names = [e["name"] for e in deployments[service]["spec"]["template"]["spec"]["containers"][0]["env"]]
        assert env["KAFKA_SASL_USERNAME"]["value"] == service
        assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": service, "key": "password"}
        assert env["DATABASE_URL"]["value"].startswith(f"postgresql://{db}:$(DATABASE_PASSWORD)@landgrade-pg-pooler-rw.")
        assert "valueFrom" not in env["DATABASE_URL"]
        assert names.index("DATABASE_PASSWORD") < names.index("DATABASE_URL")  # $(VAR) needs it defined first
    assert set(of_kind(documents, "ServiceMonitor")) == set(SERVICES)


def test_alerts_use_metrics_the_services_export() -> None:
    from servicekit.metrics import Metrics

    exported = set()
    for metric in Metrics().registry.collect():
        # A labelled metric has no samples before its first labels: its name, by type, counts too.
        named = {"counter": metric.name + "_total", "gauge": metric.name}.get(metric.type)
        exported |= {sample.name for sample in metric.samples} | ({named} if named else set())
    rule = of_kind(build("overlays/production"), "PrometheusRule")["landgrade"]
    rules = rule["spec"]["groups"][0]["rules"]
    alerts = {r["alert"] for r in rules}
    assert {"LandgradeServiceDown", "LandgradeNotReady", "LandgradeConsumerStalled",
            "LandgradeOutboxBacklogGrowing", "LandgradeDeadLetters"} <= alerts
    import re
    for r in rules:
        for name in re.findall(r"\b([a-z_]+)\{", r["expr"]):
            assert name in exported or name in {"up", "cnpg_landgrade_outbox_inserted"}, (r["alert"], name)
    stalled = [r for r in rules if r["alert"] == "LandgradeConsumerStalled"]
    assert sorted(r["labels"]["consumer"] for r in stalled) == \
        sorted(c for groups in manifests.consumer_groups().values() for c in groups)
    # A bulk lane is idle most of the year while its producer publishes on the live topics: its alert
    # keys on what waits on its own topics (the group's lag), never on the producer's publications.
    bulk = {s.group for found in manifests.subscriptions().values() for s in found if s.bulk}
    assert bulk
    for r in stalled:
        lag_keyed = "consumer_lag_events{" in r["expr"] and "outbox_events_published_total" not in r["expr"]
        assert lag_keyed == (r["labels"]["consumer"] in bulk), r["labels"]["consumer"]
