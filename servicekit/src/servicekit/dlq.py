"""Replays a dead-letter topic: each record goes back to the topic it came from, unchanged (same
CloudEvent id), so consumers that already applied it skip it and the rest apply it now."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer

from servicekit.kafka import _security, new_producer
from servicekit.settings import ServiceSettings


async def replay(settings: ServiceSettings, dlq: str, limit: int | None = None, idle_ms: int = 3000) -> int:
    consumer = AIOKafkaConsumer(
        dlq, bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"{settings.kafka_consumer_group_prefix}.dlq-replay", enable_auto_commit=False,
        auto_offset_reset="earliest", **_security(settings),
    )
    producer = new_producer(settings)
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while limit is None or replayed < limit:
            batch = await consumer.getmany(timeout_ms=idle_ms, max_records=100)
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    headers = dict(record.headers or [])
                    original = headers.get("dlq.original.topic", b"").decode() or dlq.removesuffix(".dlq")
                    kept = [(k, v) for k, v in (record.headers or []) if not k.startswith("dlq.")]
                    await producer.send_and_wait(original, value=record.value, key=record.key, headers=kept)
                    replayed += 1
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()
    return replayed
