"""The plumbing a composition root assembles for its service, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database
from servicekit.events import source_uri
from servicekit.idempotency import idempotency_table
from servicekit.inbox import BatchHandler, EventConsumer, Subscription, inbox_table
from servicekit.kafka import dlq_topic, new_consumer, new_producer
from servicekit.metrics import Metrics
from servicekit.outbox import Outbox, OutboxRelay, outbox_table
from servicekit.runtime import Job, ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.telemetry import configure_tracing, instrument_engine
from servicekit.topic_check import TopicGuard
from servicekit.uow import Storage

U = TypeVar("U")


@dataclass(frozen=True)
class StandardTables:
    outbox: Table
    inbox: Table
    idempotency: Table

    @classmethod
    def on(cls, metadata: MetaData) -> StandardTables:
        return cls(outbox_table(metadata), inbox_table(metadata), idempotency_table(metadata))


@dataclass
class Plumbing:
    settings: ServiceSettings
    tables: StandardTables
    db: Database
    metrics: Metrics
    outbox: Outbox

    @classmethod
    def build(cls, settings: ServiceSettings, tables: StandardTables) -> Plumbing:
        configure_tracing(settings)
        db = Database.connect(settings.database_url, settings.database_pool_size, settings.database_plan_cache_mode)
        instrument_engine(db.engine)
        return cls(settings, tables, db, Metrics(), Outbox(tables.outbox, source_uri(settings.service_name)))

    @property
    def storage(self) -> Storage:
        """What the service's units of work are made from."""
        return Storage(self.db, self.outbox, self.tables.idempotency)

    def subscribe(self, subscription: Subscription[U], unit_of_work: Callable[[AsyncSession], U]) -> EventConsumer:
        """The consumer of a service's subscription; `unit_of_work` joins a handler to the inbox's
        transaction."""
        return self.consumer(subscription.group, subscription.topics, subscription.batch_handlers(unit_of_work),
                             inbox_name=subscription.consumer)

    def consumer(self, name: str, topics: list[str], handlers: dict[str, BatchHandler],
                 inbox_name: str | None = None) -> EventConsumer:
        s = self.settings
        return EventConsumer(
            name, topics, handlers, self.db, self.tables.inbox,
            consumer_factory=lambda: new_consumer(s, name, topics),
            producer_factory=lambda: new_producer(s), metrics=self.metrics,
            batch_size=s.consumer_batch_size, max_attempts=s.consumer_max_attempts,
            batch_spacing_seconds=s.consumer_batch_spacing_seconds, inbox_name=inbox_name,
        )

    def relay(self, bulk_lane: bool = False) -> OutboxRelay:
        """The service's relay; `bulk_lane` for a service that writes bulk rows (`outbox`)."""
        s = self.settings
        return OutboxRelay(self.db, self.tables.outbox, lambda: new_producer(s), self.metrics,
                           s.outbox_batch_size, s.outbox_poll_seconds, idle_seconds=s.outbox_idle_seconds,
                           wake=self.outbox.written, lease_seconds=s.outbox_relay_lease_seconds,
                           bulk_lane=bulk_lane)

    def runtime(self, *, publishes: list[str], consumers: list[EventConsumer] | None = None,
                jobs: list[Job] | None = None, startup: list[Callable[[], Awaitable[None]]] | None = None,
                bulk_lane: bool = False) -> ServiceRuntime:
        consumers = consumers or []
        topics = sorted({*publishes, *(t for c in consumers for t in c.topics),
                         *(dlq_topic(t) for c in consumers for t in c.topics)})

        topic_guard = TopicGuard(self.settings, topics)  # creates them in development, only checks elsewhere
        return ServiceRuntime(self.settings, self.db, self.metrics, relay=self.relay(bulk_lane), consumers=consumers,
                              jobs=jobs or [], startup=[topic_guard.startup, *(startup or [])],
                              checks={"topics": topic_guard.readiness})
