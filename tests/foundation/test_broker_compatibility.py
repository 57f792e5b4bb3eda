"""aiokafka against the exact Kafka build the project runs (deploy/local/kafka/pom.xml)."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from servicekit.kafka import ensure_topics
from servicekit.settings import ServiceSettings


def _consumer(bootstrap: str, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                            enable_auto_commit=False, auto_offset_reset="earliest")


async def _drain(consumer: AIOKafkaConsumer, want: int) -> list[bytes]:
    values: list[bytes] = []
    for _ in range(50):
        for records in (await consumer.getmany(timeout_ms=300)).values():
            values += [r.value for r in records]
        if len(values) >= want:
            break
    return values


async def test_idempotent_produce_consume_commit_and_resume(infra) -> None:
    topic, group = f"compat.{uuid.uuid4().hex[:8]}", f"compat-{uuid.uuid4().hex[:8]}"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.bootstrap), [topic], partitions=1)

    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    for i in range(10):
        await producer.send_and_wait(topic, f"m{i}".encode(), key=b"k")
    await producer.stop()

    first = _consumer(infra.bootstrap, topic, group)
    await first.start()
    got = await _drain(first, 4)
    tp = TopicPartition(topic, 0)
    await first.commit({tp: 4})  # explicit offset: the first four are done
    assert got[:4] == [b"m0", b"m1", b"m2", b"m3"]
    await first.stop()

    resumed = _consumer(infra.bootstrap, topic, group)
    await resumed.start()
    rest = await _drain(resumed, 6)
    assert await resumed.committed(tp) == 4
    await resumed.stop()
    assert rest == [f"m{i}".encode() for i in range(4, 10)]

