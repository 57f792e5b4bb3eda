"""Scrape-time probes of the event pipeline: what the outbox still holds, how far each consumer
group is behind its topics, and how busy the database pool is.

Lag is read from the broker (the group's committed offsets against the partitions' end offsets),
not from the consumer's own view: a consumer that has stopped or crashed reports nothing about
itself, and that is exactly when its lag matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import Table, func, select

from servicekit.db import Database
from servicekit.kafka import _security
from servicekit.logging import get_logger
from servicekit.metrics import Metrics
from servicekit.metrics_server import MetricsServer
from servicekit.settings import ServiceSettings
from servicekit.telemetry import flush as flush_traces


class Watched(Protocol):
    """What the lag probe reads of a consumer (`inbox.EventConsumer`)."""

    name: str
    topics: list[str]

    def since_last_commit(self) -> float: ...


class OutboxBacklog:
    """Rows not yet published and the age of the oldest, through the outbox's partial index."""

    __name__ = "outbox_backlog"

    def __init__(self, db: Database, table: Table, metrics: Metrics) -> None:
        self.db, self.metrics = db, metrics
        self._query = select(func.count(), func.extract("epoch", func.now() - func.min(table.c.created_at))) \
            .select_from(table).where(table.c.published_at.is_(None))

    async def __call__(self) -> None:
        try:
            async with self.db.sessions() as session:
                count, age = (await session.execute(self._query)).one()
        except Exception:
            # Unknown is not empty: the gauges show a gap rather than a reassuring zero.
            self.metrics.outbox_backlog.set(float("nan"))
            self.metrics.outbox_oldest_age.set(float("nan"))
            raise
        self.metrics.outbox_backlog.set(count or 0)
        self.metrics.outbox_oldest_age.set(float(age or 0))


class ConsumerLag:
    """Per topic partition: end offset minus the group's committed offset (a group that has
    committed nothing yet is behind by everything on the partition)."""

    __name__ = "consumer_lag"

    def __init__(self, settings: ServiceSettings, consumers: Sequence[Watched], metrics: Metrics) -> None:
        self.settings, self.consumers, self.metrics = settings, list(consumers), metrics
        self._admin: AIOKafkaAdminClient | None = None
        self._reader: AIOKafkaConsumer | None = None

    async def __call__(self) -> None:
        if not self.consumers:
            return
        admin, reader = await self._clients()
        for consumer in self.consumers:
            self.metrics.consumer_commit_age.labels(consumer.name).set(consumer.since_last_commit())
            try:
                lags = await self._lags(admin, reader, consumer)
            except Exception:
                for topic in consumer.topics:
                    self._forget(consumer.name, topic)
                raise
            for tp, lag in lags.items():
                self.metrics.consumer_lag.labels(consumer.name, tp.topic, str(tp.partition)).set(lag)

    async def _lags(self, admin: AIOKafkaAdminClient, reader: AIOKafkaConsumer,
                    consumer: Watched) -> dict[TopicPartition, int]:
        group = f"{self.settings.kafka_consumer_group_prefix}.{consumer.name}"
        partitions = [TopicPartition(topic["topic"], p["partition"])
                      for topic in await admin.describe_topics(consumer.topics)
                      for p in topic.get("partitions", [])]
        if not partitions:
            return {}
        committed = await admin.list_consumer_group_offsets(group)
        ends = await reader.end_offsets(partitions)
        starts = await reader.beginning_offsets(partitions)
        lags = {}
        for tp in partitions:
            mark = committed.get(tp)
            offset = mark.offset if mark is not None and mark.offset >= 0 else starts[tp]
            lags[tp] = max(ends[tp] - offset, 0)
        return lags

    def _forget(self, consumer: str, topic: str) -> None:
        """Drops a group's lag series when the broker cannot be asked: stale values would read as current."""
        for labels in list(self.metrics.consumer_lag._metrics):
            if labels[0] == consumer and labels[1] == topic:
                self.metrics.consumer_lag.remove(*labels)

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._reader is None:
            security = _security(self.settings)
            admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                        request_timeout_ms=2000, **security)
            reader = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers, group_id=None,
                                      enable_auto_commit=False, request_timeout_ms=2000, **security)
            try:
                await admin.start()
                await reader.start()
            except Exception:
                await _close(admin, reader)
                raise
            self._admin, self._reader = admin, reader
        return self._admin, self._reader

    async def close(self) -> None:
        admin, reader, self._admin, self._reader = self._admin, self._reader, None, None
        await _close(admin, reader)


async def _close(admin: AIOKafkaAdminClient | None, reader: AIOKafkaConsumer | None) -> None:
    for client in (reader, admin):
        if client is None:
            continue
        try:
            await (client.stop() if isinstance(client, AIOKafkaConsumer) else client.close())
        except Exception:  # noqa: S110  # nosec B110  # closing a client that never connected
            pass


class PoolUse:
    """Connections checked out of the service's pool, and tasks waiting for one."""

    __name__ = "database_pool"

    def __init__(self, db: Database, capacity: int, metrics: Metrics) -> None:
        self.db, self.metrics = db, metrics
        metrics.pool_capacity.set(capacity)

    async def __call__(self) -> None:
        pool: Any = self.db.engine.sync_engine.pool
        self.metrics.pool_in_use.set(pool.checkedout())
        self.metrics.pool_waiting.set(_waiters(pool))


def _waiters(pool: Any) -> int:
    """Tasks blocked in the async pool's queue (its asyncio.Queue's getters); 0 while the queue
    has not been made, i.e. nothing ever waited."""
    queue = getattr(pool, "_pool", None)
    inner = vars(queue).get("_queue") if queue is not None and hasattr(queue, "__dict__") else None
    getters = getattr(inner, "_getters", None)
    return sum(1 for g in getters if not g.done()) if getters else 0


class PipelineWatch:
    """Registers the probes on a service's metrics and serves them on the metrics port, for as
    long as the service's background runtime runs."""

    def __init__(self, settings: ServiceSettings, db: Database, metrics: Metrics, outbox: Table | None,
                 consumers: Sequence[Watched]) -> None:
        self.settings, self.metrics = settings, metrics
        self.lag = ConsumerLag(settings, consumers, metrics)
        probes: list[Any] = [PoolUse(db, 2 * settings.database_pool_size, metrics), self.lag]
        if outbox is not None:
            probes.insert(0, OutboxBacklog(db, outbox, metrics))
        self.probes = probes
        self.server: MetricsServer | None = None

    async def start(self) -> None:
        for probe in self.probes:
            if probe not in self.metrics.before_scrape:
                self.metrics.before_scrape.append(probe)
        port = self.settings.metrics_listen_port
        if port:
            server = MetricsServer(self.metrics, self.settings.http_host, port)
            try:
                await server.start()
                self.server = server
            except OSError as error:
                # The API still serves; Prometheus finds no target (`up` == 0 pages the operator).
                get_logger("metrics").error("metrics_port_unavailable", port=port, error=repr(error))

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None
        await self.lag.close()
        flush_traces()
