"""Services never create topics in production: in development and tests a service creates what it
lacks; anywhere else it only checks its topics at start-up (partitions, replication factor,
min.insync.replicas), refuses to start naming each topic that differs, and /readyz reports it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from credit_ledger.bootstrap import MIGRATIONS, build_app
from credit_ledger.settings import Settings
from landgrade.devstack.kafka import KafkaCluster
from landgrade.testing import Infra, SettingsFactory, eventually, serving
from landgrade_events.topics import production_topics
from servicekit.settings import ServiceSettings
from servicekit.topic_check import PRODUCTION, TopicCheckFailed, TopicGuard, topic_problems

PROD_SECRET = "a-production-secret-that-is-not-the-public-one"


def production(bootstrap: str) -> ServiceSettings:
    return ServiceSettings(environment="production", jwt_secret=PROD_SECRET, kafka_bootstrap_servers=bootstrap)


async def topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def create(bootstrap: str, name: str, partitions: int, replication: int, min_isr: int | None = None) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        configs = {"min.insync.replicas": str(min_isr)} if min_isr is not None else {}
        response = await admin.create_topics([NewTopic(name, partitions, replication, topic_configs=configs)])
        assert all(code == 0 for _, code, *_ in response.topic_errors), response
    finally:
        await admin.close()


async def visible(bootstrap: str, names: list[str]) -> None:
    """Until every broker's metadata has the new topics (any of them may answer the check)."""
    async def known() -> bool:
        problems = await topic_problems(production(bootstrap), names)
        return not any(p.endswith(": missing") for p in problems)

    for _ in range(3):
        await eventually(known, timeout=20)


def fresh(kind: str) -> str:
    return f"test.topic-check.{kind}.{uuid.uuid4().hex[:8]}"


def test_the_expectation_is_the_production_specification() -> None:
    for spec in production_topics():
        assert (spec.partitions, spec.replication_factor, spec.min_insync_replicas) == (
            PRODUCTION.partitions, PRODUCTION.replication_factor, PRODUCTION.min_insync_replicas), spec.name


@pytest.mark.infra
async def test_development_and_tests_create_missing_topics(infra: Infra) -> None:
    name = fresh("dev")
    for environment in ("development", "test"):
        guard = TopicGuard(ServiceSettings(environment=environment, kafka_bootstrap_servers=infra.bootstrap),
                           [name])
        await guard.startup()
        assert name in await topics(infra.bootstrap)
        assert await guard.readiness() == "ok"


@pytest.mark.infra
async def test_production_refuses_to_start_without_a_topic_and_creates_none(infra: Infra) -> None:
    missing = fresh("missing")
    with pytest.raises(TopicCheckFailed) as refused:
        await TopicGuard(production(infra.bootstrap), [missing]).startup()
    assert refused.value.problems == [f"{missing}: missing"]
    assert missing in str(refused.value)
    assert missing not in await topics(infra.bootstrap)


@pytest.mark.infra
async def test_production_names_each_difference(kafka_cluster: KafkaCluster) -> None:
    bootstrap = kafka_cluster.bootstrap_servers
    right, few, thin, loose = fresh("right"), fresh("few"), fresh("thin"), fresh("loose")
    await create(bootstrap, right, 12, 3, 2)
    await create(bootstrap, few, 6, 3, 2)
    await create(bootstrap, thin, 12, 1, 1)
    await create(bootstrap, loose, 12, 3, 1)
    await visible(bootstrap, [right, few, thin, loose])
    guard = TopicGuard(production(bootstrap), [right, few, thin, loose], recheck_seconds=0)
    with pytest.raises(TopicCheckFailed) as refused:
        await guard.startup()
    assert sorted(refused.value.problems) == sorted([
        f"{few}: 6 partitions, expected 12",
        f"{thin}: replication factor 1, expected 3, min.insync.replicas 1, expected 2",
        f"{loose}: min.insync.replicas 1, expected 2",
    ])
    await TopicGuard(production(bootstrap), [right]).startup()  # a matching topic starts


@pytest.mark.infra
async def test_a_production_service_starts_on_the_specified_topics_and_readyz_reports_them(
        kafka_cluster: KafkaCluster, infra: Infra, make_settings: SettingsFactory) -> None:
    settings: Any = await make_settings(Settings, MIGRATIONS, environment="production", jwt_secret=PROD_SECRET,
                                        kafka_bootstrap_servers=kafka_cluster.bootstrap_servers)
    app = build_app(settings)
    async with serving(app) as client:
        answer = await client.get("/readyz")
        assert answer.json()["checks"]["topics"] == "ok"
    # The same service against the single-node broker: refused, naming its topics.
    settings = await make_settings(Settings, MIGRATIONS, environment="production", jwt_secret=PROD_SECRET)
    with pytest.raises(TopicCheckFailed) as refused:
        async with serving(build_app(settings)):
            pass
    named = {problem.split(":")[0] for problem in refused.value.problems}
    assert "landgrade.credit.records.v1" in named and "landgrade.evaluation.grades.v1.dlq" in named


@pytest.mark.infra
async def test_readyz_reports_a_topic_that_changes_after_start(kafka_cluster: KafkaCluster) -> None:
    bootstrap = kafka_cluster.bootstrap_servers
    name = fresh("later")
    await create(bootstrap, name, 12, 3, 2)
    await visible(bootstrap, [name])
    guard = TopicGuard(production(bootstrap), [name], recheck_seconds=0)
    await guard.startup()
    assert await guard.readiness() == "ok"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([name])
    finally:
        await admin.close()
    async def missing() -> bool:
        return await guard.readiness() == f"{name}: missing"

    await eventually(missing, timeout=20)
