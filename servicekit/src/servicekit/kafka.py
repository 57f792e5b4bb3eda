"""Kafka clients configured the one way this project uses them."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from servicekit.settings import ServiceSettings


def _security(settings: ServiceSettings) -> dict[str, Any]:
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if settings.kafka_sasl_mechanism:
        from aiokafka.helpers import create_ssl_context

        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password,
        }
        if settings.kafka_security_protocol.endswith("SSL"):
            options["ssl_context"] = create_ssl_context()
    return options


def new_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    # Idempotent with acks=all: broker-side dedup of retried sends and per-partition order.
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        enable_idempotence=True,
        acks="all",
        compression_type=None if settings.kafka_compression_type == "none" else settings.kafka_compression_type,
        linger_ms=settings.kafka_linger_ms,
        max_batch_size=settings.kafka_max_batch_bytes,
        request_timeout_ms=15000,
        **_security(settings),
    )


def new_consumer(settings: ServiceSettings, group: str, topics: list[str]) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"{settings.kafka_consumer_group_prefix}.{group}",
        client_id=f"{settings.service_name}.{group}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_interval_ms=300_000,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3_000,
        metadata_max_age_ms=30_000,
        **_security(settings),
    )
    start_at = settings.kafka_consumer_start_at
    listener = StartAt(consumer, int(start_at.timestamp() * 1000)) if start_at else None
    consumer.subscribe(topics, listener=listener)
    return consumer


class StartAt(ConsumerRebalanceListener):  # type: ignore[misc]
    """Places a group on each newly assigned partition it has no committed offset for at the first
    event written at or after `start_ms` (the end, if there is none yet); a committed offset
    always wins.

    The assignment is paused while it is placed: aiokafka's fetcher runs during the listener's
    lookups and would otherwise hand out events from its own reset position first. The end is
    read before the search by time: an event written between the two lies past that end or is
    found by the search, so it is handed out either way. Read the other way round, an event
    written in between was behind the end and never handed out (a burst of grade events lost to
    a rebalance of the credit ledger's group)."""

    def __init__(self, consumer: AIOKafkaConsumer, start_ms: int) -> None:
        self.consumer, self.start_ms = consumer, start_ms

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.consumer.pause(*assigned)
        try:
            fresh = [tp for tp in assigned if await self.consumer.committed(tp) is None]
            if fresh:
                ends = await self.consumer.end_offsets(fresh)
                found = await self.consumer.offsets_for_times({tp: self.start_ms for tp in fresh})
                for tp in fresh:
                    at = found.get(tp)
                    self.consumer.seek(tp, at.offset if at is not None else ends[tp])
        finally:
            self.consumer.resume(*assigned)


async def ensure_topics(settings: ServiceSettings, topics: list[str], partitions: int = 4) -> None:
    """Create topics that do not exist yet (replication 1 locally; production creates them itself)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **_security(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics([NewTopic(t, partitions, 1) for t in missing])
            except TopicAlreadyExistsError:
                pass  # another service created it between our list and create
    finally:
        await admin.close()


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"
