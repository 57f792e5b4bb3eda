"""Where a new consumer group begins on real Kafka: at the start of retention by default, at
`KAFKA_CONSUMER_START_AT` when it is set, and always at its own committed offset once it has one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from servicekit.kafka import StartAt, ensure_topics, new_consumer, new_producer
from servicekit.settings import ServiceSettings


async def _values(consumer: AIOKafkaConsumer, count: int, timeout: float = 30.0) -> list[str]:
    """Everything `consumer` is handed until `count` events came or `timeout` passed, then one
    more poll: an event handed out beyond `count` would show."""
    found: list[str] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(found) < count and asyncio.get_running_loop().time() < deadline:
        for records in (await consumer.getmany(timeout_ms=200)).values():
            found += [r.value.decode() for r in records]
    for records in (await consumer.getmany(timeout_ms=500)).values():
        found += [r.value.decode() for r in records]
    return found


async def test_a_new_group_begins_at_the_start_time_and_a_committed_offset_wins(infra) -> None:  # type: ignore[no-untyped-def]
    topic = f"test.start-at.{uuid.uuid4().hex[:8]}"
    base = ServiceSettings(kafka_bootstrap_servers=infra.bootstrap, kafka_consumer_group_prefix=topic)
    await ensure_topics(base, [topic], partitions=2)
    producer = new_producer(base)
    await producer.start()
    try:
        for n in range(4):
            await producer.send_and_wait(topic, f"before-{n}".encode(), key=str(n).encode())
        await asyncio.sleep(0.05)
        start = datetime.now(UTC)
        await asyncio.sleep(0.05)
        for n in range(4):
            await producer.send_and_wait(topic, f"after-{n}".encode(), key=str(n).encode())

        from_start = new_consumer(base.model_copy(update={"kafka_consumer_start_at": start}), "late", [topic])
        await from_start.start()
        try:
            got = await _values(from_start, 4)
            assert sorted(got) == [f"after-{n}" for n in range(4)]
            await from_start.commit()
        finally:
            await from_start.stop()

        await producer.send_and_wait(topic, b"later", key=b"0")
        # The same group, now told to start an hour ahead: its committed offsets are where it resumes.
        ahead = base.model_copy(update={"kafka_consumer_start_at": datetime.now(UTC) + timedelta(hours=1)})
        resumed = new_consumer(ahead, "late", [topic])
        await resumed.start()
        try:
            assert await _values(resumed, 1) == ["later"]
        finally:
            await resumed.stop()

        everything = new_consumer(base, "whole", [topic])  # unset: the start of retention
        await everything.start()
        try:
            assert len(await _values(everything, 9)) == 9
        finally:
            await everything.stop()
    finally:
        await producer.stop()


class _WritesBetweenCalls:
    """The consumer as the listener sees it, with another service's event written to the topic
    right after each offset lookup returns: the moment a burst lands while a group is placed."""

    def __init__(self, consumer: AIOKafkaConsumer, write: Callable[[], Awaitable[object]]) -> None:
        self._consumer, self._write = consumer, write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._consumer, name)

    async def end_offsets(self, partitions: list[TopicPartition]) -> Any:
        found = await self._consumer.end_offsets(partitions)
        await self._write()
        return found

    async def offsets_for_times(self, times: dict[TopicPartition, int]) -> Any:
        found = await self._consumer.offsets_for_times(times)
        await self._write()
        return found


async def test_events_written_while_a_new_group_is_placed_are_handed_out(infra) -> None:  # type: ignore[no-untyped-def]
    """Regression: the listener searched by time, then read the end; an event written between the
    two was behind that end and never handed out."""
    topic = f"test.start-at-race.{uuid.uuid4().hex[:8]}"
    base = ServiceSettings(kafka_bootstrap_servers=infra.bootstrap, kafka_consumer_group_prefix=topic)
    await ensure_topics(base, [topic], partitions=1)
    producer = new_producer(base)
    await producer.start()
    written: list[str] = []

    async def write() -> None:
        written.append(f"burst-{len(written)}")
        await producer.send_and_wait(topic, written[-1].encode(), key=b"k")

    consumer = AIOKafkaConsumer(bootstrap_servers=infra.bootstrap, group_id=f"{topic}.g", enable_auto_commit=False,
                                auto_offset_reset="latest")  # no replay hides a skipped event
    start_ms = int(datetime.now(UTC).timestamp() * 1000)
    consumer.subscribe([topic], listener=StartAt(_WritesBetweenCalls(consumer, write), start_ms))  # type: ignore[arg-type]
    try:
        await consumer.start()
        got = await _values(consumer, 2)
        assert written == ["burst-0", "burst-1"]
        assert got == written
    finally:
        await consumer.stop()
        await producer.stop()


def test_a_start_time_without_a_zone_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="kafka_consumer_start_at"):
        ServiceSettings(kafka_consumer_start_at="2026-01-01T00:00:00")
