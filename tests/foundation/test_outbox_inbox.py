"""Outbox → Kafka → inbox through real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from aiokafka import AIOKafkaConsumer

from landgrade.testing import eventually, read_events
from servicekit.kafka import ensure_topics, new_consumer, new_producer
from servicekit.settings import ServiceSettings
from tests.foundation.relay_fixture import build_harness, counting_handler, ping_type


async def _ready(make_settings):  # type: ignore[no-untyped-def]
    settings = await make_settings(ServiceSettings)
    harness = build_harness(settings)
    from servicekit.migrations import ensure_database

    await ensure_database(settings.database_url)
    await harness.create_schema()
    await ensure_topics(settings, [harness.topic, harness.topic + ".dlq"])
    return settings, harness


async def _publish(harness, pings):  # type: ignore[no-untyped-def]
    async with harness.plumbing.db.transaction() as session:
        await harness.plumbing.outbox.add(session, *pings)


async def _run_relay_until_empty(harness) -> None:  # type: ignore[no-untyped-def]
    relay = harness.plumbing.relay()
    producer = relay.producer_factory()
    await producer.start()
    try:
        while await relay.publish_batch(producer):
            pass
    finally:
        await producer.stop()


async def test_thousand_events_over_fifty_keys_arrive_in_per_key_order(make_settings, infra) -> None:
    settings, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    pings = [Ping(key_=f"k{i % 50}", n=i) for i in range(1000)]
    for start in range(0, 1000, 100):  # several transactions, as a busy service would write them
        await _publish(harness, pings[start:start + 100])
    await _run_relay_until_empty(harness)
    assert await harness.plumbing.relay().pending() == 0

    events = await read_events(infra.bootstrap, harness.topic, lambda e: True, count=1000)
    per_key: dict[str, list[int]] = defaultdict(list)
    for event in events:
        per_key[event.subject or ""].append(event.data["n"])
    assert len(events) == 1000
    assert len(per_key) == 50
    assert all(ns == sorted(ns) for ns in per_key.values())
    await harness.plumbing.db.dispose()


async def test_relay_killed_between_publish_and_mark_still_gives_one_effect(make_settings, infra) -> None:
    settings, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    await _publish(harness, [Ping(key_="a", n=i) for i in range(5)])

    # Publish but crash before marking: the transaction that would mark the rows rolls back.
    relay = harness.plumbing.relay()
    producer = relay.producer_factory()
    await producer.start()

    async def crash(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("relay process killed")

    async with harness.plumbing.db.transaction() as session:
        original = session.execute
        rows_sent = False

        async def execute_then_crash(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal rows_sent
            if rows_sent and str(statement).lstrip().upper().startswith("UPDATE"):
                await crash()
            result = await original(statement, *args, **kwargs)
            rows_sent = True
            return result

        session.execute = execute_then_crash  # type: ignore[method-assign]
        relay.db = _FixedSession(session)  # type: ignore[assignment]
        try:
            await relay.publish_batch(producer)
        except RuntimeError:
            pass
        finally:
            session.execute = original  # type: ignore[method-assign]
        await session.rollback()
    await producer.stop()

    assert await harness.plumbing.relay().pending() == 5  # nothing marked: the restart sends again
    await _run_relay_until_empty(harness)
    raw = await read_events(infra.bootstrap, harness.topic, lambda e: True, count=10, timeout=5)
    assert len(raw) == 10  # at-least-once on the wire ...

    consumer = harness.consumer("effects", counting_handler(harness))
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    await eventually(lambda: _count(harness, 5))
    await asyncio.sleep(1.0)
    stop.set()
    await task
    rows = await harness.effect_rows()
    assert [(k, n) for k, n, _ in rows] == [("a", i) for i in range(5)]  # ... exactly once in effect
    assert all(applied == 1 for *_, applied in rows)
    await harness.plumbing.db.dispose()


class _FixedSession:
    """Lets publish_batch run inside a session the test controls."""

    def __init__(self, session):  # type: ignore[no-untyped-def]
        self.session = session

    def transaction(self):  # type: ignore[no-untyped-def]
        session = self.session

        class _Ctx:
            async def __aenter__(self):  # type: ignore[no-untyped-def]
                return session

            async def __aexit__(self, *exc):  # type: ignore[no-untyped-def]
                return False

        return _Ctx()


async def _count(harness, n: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await harness.effect_rows()) >= n


async def test_consumer_killed_after_db_commit_before_offset_commit_applies_once(make_settings, infra) -> None:
    settings, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    await _publish(harness, [Ping(key_="b", n=i) for i in range(20)])
    await _run_relay_until_empty(harness)

    handler = counting_handler(harness)
    first = harness.consumer("effects", handler)
    kafka_consumer = new_consumer(settings, "effects", [harness.topic])
    producer = new_producer(settings)
    await kafka_consumer.start()
    await producer.start()
    batch = {}
    while sum(len(r) for r in batch.values()) < 20:
        more = await kafka_consumer.getmany(timeout_ms=1000)
        for tp, records in more.items():
            batch.setdefault(tp, []).extend(records)
    await first.process(batch, producer)  # database commit happens here ...
    await kafka_consumer.stop()           # ... and the process dies before committing offsets
    await producer.stop()

    second = harness.consumer("effects", handler)
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    await eventually(lambda: harness.plumbing.metrics.events_duplicate.labels("effects")._value.get() >= 20)
    stop.set()
    await task
    rows = await harness.effect_rows()
    assert len(rows) == 20 and all(applied == 1 for *_, applied in rows)
    await harness.plumbing.db.dispose()


async def test_poison_event_goes_to_dlq_and_later_events_still_flow(make_settings, infra) -> None:
    settings, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    await _publish(harness, [Ping(key_="c", n=i) for i in range(6)])
    await _run_relay_until_empty(harness)

    consumer = harness.consumer("effects", counting_handler(harness, poison_n=2))
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    await eventually(lambda: _count(harness, 5))
    stop.set()
    await task
    assert [n for _, n, _ in await harness.effect_rows()] == [0, 1, 3, 4, 5]

    dead = await read_events(infra.bootstrap, harness.topic + ".dlq", lambda e: True, count=1)
    assert dead[0].data["n"] == 2

    dlq = AIOKafkaConsumer(harness.topic + ".dlq", bootstrap_servers=infra.bootstrap,
                           auto_offset_reset="earliest", group_id=None)
    await dlq.start()
    records = []
    while not records:
        records = [r for rs in (await dlq.getmany(timeout_ms=1000)).values() for r in rs]
    await dlq.stop()
    headers = dict(records[0].headers)
    assert b"cannot apply ping 2" in headers["dlq.error"]
    assert headers["dlq.original.topic"] == harness.topic.encode()

    # After a fix, replaying the DLQ applies the event exactly once.
    from servicekit.dlq import replay

    fixed = harness.consumer("effects", counting_handler(harness))
    assert await replay(settings, harness.topic + ".dlq") == 1
    stop = asyncio.Event()
    task = asyncio.create_task(fixed.run(stop))
    await eventually(lambda: _count(harness, 6))
    stop.set()
    await task
    assert sorted(n for _, n, _ in await harness.effect_rows()) == [0, 1, 2, 3, 4, 5]
    await harness.plumbing.db.dispose()
