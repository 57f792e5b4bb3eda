"""pytest fixtures shared by every test suite: real PostgreSQL and Kafka, fresh databases,
running services, tokens and a Kafka reader. Loaded by the root `conftest.py`.

Infrastructure starts once per pytest session on free ports (so a running `make run` is never
disturbed) unless `LANDGRADE_TEST_DATABASE_URL` / `LANDGRADE_TEST_KAFKA` point at servers.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

from landgrade.devstack.kafka import KafkaCluster, LocalKafka, kafka_nodes, local_kafka
from landgrade.devstack.ports import free_port
from landgrade.devstack.postgres import PostgresServer
from servicekit.auth import mint_token
from servicekit.events import CloudEvent
from servicekit.migrations import upgrade
from servicekit.settings import DEV_JWT_SECRET, ServiceSettings


@dataclass
class Infra:
    bootstrap: str
    db_base: str
    pg: PostgresServer | None
    kafka: LocalKafka | None

    def database_url(self, name: str) -> str:
        return self.db_base.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    root = tmp_path_factory.mktemp("infra")
    pg = kafka = None
    db_base = os.environ.get("LANDGRADE_TEST_DATABASE_URL")
    bootstrap = os.environ.get("LANDGRADE_TEST_KAFKA")
    try:
        if not db_base:
            pg = PostgresServer(root / "pg", port=free_port())
            pg.start()
            db_base = pg.url()
        if not bootstrap:
            nodes = kafka_nodes()  # KAFKA_NODES=3: the whole session on a cluster
            kafka = local_kafka(root / "kafka", nodes, heap="384m" if nodes == 1 else "256m")
            kafka.start()
            bootstrap = kafka.bootstrap_servers
        yield Infra(bootstrap, db_base, pg, kafka)
    finally:
        if kafka is not None:
            kafka.stop()
        if pg is not None:
            pg.stop("immediate")


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    """A 3-node KRaft cluster (256 MB heap each) with the specified topics, for the tests that need
    replication; started on first use."""
    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), nodes=3)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


SettingsFactory = Callable[..., Any]


@pytest.fixture
def make_settings(infra: Infra) -> SettingsFactory:
    """`await make_settings(SettingsClass, migrations_dir, **overrides)`: a fresh, migrated database
    and a consumer-group prefix of its own, so tests never see each other's state. Its consumers
    begin at the events written since the test began: the shared topics' earlier events belong to
    other tests."""
    began = datetime.now(UTC)

    async def factory(settings_cls: type[ServiceSettings], migrations: Path | None = None,
                      **overrides: Any) -> ServiceSettings:
        name = f"t_{uuid.uuid4().hex[:12]}"
        values: dict[str, Any] = {
            "environment": "test", "database_url": infra.database_url(name),
            "kafka_bootstrap_servers": infra.bootstrap, "kafka_consumer_group_prefix": name,
            "kafka_consumer_start_at": began,
            "http_port": free_port(), "outbox_poll_seconds": 0.02, "log_json": True,
        } | overrides
        settings = settings_cls(**values)
        if migrations is not None:
            await upgrade(settings.database_url, migrations)
        return settings

    return factory


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Runs the app's lifespan (relay, consumers) and yields a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def token(*scopes: str, jurisdiction: str | None = None, uscc: str | None = None, subject: str = "test-client",
          ttl: int = 3600, secret: str = DEV_JWT_SECRET) -> dict[str, str]:
    """Authorization header for a local token with `scopes` (bound to a street or an enterprise)."""
    value = mint_token(secret, subject, list(scopes), jurisdiction=jurisdiction, uscc=uscc, ttl_seconds=ttl)
    return {"Authorization": f"Bearer {value}"}


async def read_events(bootstrap: str, topic: str, predicate: Callable[[CloudEvent], bool],
                      count: int = 1, timeout: float = 30.0) -> list[CloudEvent]:
    """Reads `topic` from the beginning until `count` events match `predicate` (or times out)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[CloudEvent] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < count and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    event = CloudEvent.from_bytes(record.value)
                    if predicate(event):
                        found.append(event)
    finally:
        await consumer.stop()
    return found


async def eventually(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Polls an async or sync `check` until it returns a truthy value; returns that value."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


def closed_objection_window() -> dict[str, str]:
    """A publish body whose objection window has already closed: published (admin only) a month
    before today, Beijing time, longer than any ruleset's minimum window, so the year can be
    finalized at once, as a year published in the spring after it can."""
    from datetime import timedelta

    from servicekit.clock import BEIJING

    return {"published_on": (datetime.now(BEIJING).date() - timedelta(days=30)).isoformat()}

