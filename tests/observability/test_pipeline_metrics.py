"""The metrics that tell a stuck pipeline, on real Kafka and PostgreSQL: a stopped consumer's lag
grows with what is published, the outbox's backlog grows while nothing publishes it, and both
return to zero once the relay and the consumer run again. Read over HTTP on the metrics port, as
Prometheus reads them."""

from __future__ import annotations

import asyncio
import math

import pytest

from landgrade.devstack.ports import free_port
from landgrade.testing import eventually
from servicekit.kafka import ensure_topics
from servicekit.migrations import ensure_database
from servicekit.pipeline_probes import PipelineWatch
from servicekit.settings import ServiceSettings
from tests.foundation.relay_fixture import build_harness, counting_handler, ping_type
from tests.observability.scrape import families, scrape, total

pytestmark = pytest.mark.infra


async def test_lag_and_backlog_move_while_a_consumer_is_stopped_and_return_to_zero(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = await make_settings(ServiceSettings, metrics_port=free_port())
    harness = build_harness(settings)
    await ensure_database(settings.database_url)
    await harness.create_schema()
    await ensure_topics(settings, [harness.topic, harness.topic + ".dlq"])
    Ping = ping_type(harness.topic)
    plumbing = harness.plumbing
    consumer = harness.consumer("lagging", counting_handler(harness))
    watch = PipelineWatch(settings, plumbing.db, plumbing.metrics, plumbing.tables.outbox, [consumer])
    await watch.start()
    url = f"http://127.0.0.1:{settings.metrics_listen_port}/metrics"
    relay = plumbing.relay()
    producer = relay.producer_factory()
    await producer.start()

    async def publish(first: int, count: int) -> None:
        async with plumbing.db.transaction() as session:
            await plumbing.outbox.add(session, *(Ping(key_=f"k{n % 7}", n=n) for n in range(first, first + count)))

    async def relay_all() -> None:
        while await relay.publish_batch(producer):
            pass

    async def lag() -> float:
        return total(families(await scrape(url))["consumer_lag_events"], consumer="lagging", topic=harness.topic)

    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        await publish(0, 5)
        await relay_all()
        await eventually(lambda: _applied(harness, 5), timeout=30)
        await eventually(lambda: _lag_is(lag, 0), timeout=30)

        stop.set()
        await running  # the consumer is down: nothing applies, nothing commits
        await publish(5, 12)
        scraped = families(await scrape(url))
        assert total(scraped["outbox_backlog_events"]) == 12
        assert 0 <= total(scraped["outbox_oldest_unpublished_age_seconds"]) < 60
        await asyncio.sleep(1.1)
        aged = families(await scrape(url))
        assert total(aged["outbox_oldest_unpublished_age_seconds"]) >= 1.0  # the oldest row ages

        await relay_all()
        scraped = families(await scrape(url))
        assert total(scraped["outbox_backlog_events"]) == 0
        assert total(scraped["outbox_oldest_unpublished_age_seconds"]) == 0
        assert await lag() == 12  # published, and nobody has taken them
        partitions = {labels["partition"] for labels, _ in scraped["consumer_lag_events"]
                      if labels["topic"] == harness.topic}
        assert partitions == {"0", "1", "2", "3"}  # one series per partition of the topic
        assert total(scraped["consumer_last_commit_age_seconds"], consumer="lagging") > 1.0

        stop = asyncio.Event()
        running = asyncio.create_task(consumer.run(stop))
        await eventually(lambda: _applied(harness, 17), timeout=30)
        await eventually(lambda: _lag_is(lag, 0), timeout=30)
        after = families(await scrape(url))
        assert total(after["events_consumed"], consumer="lagging", event_type="test.pinged.v1") == 17
        assert total(after["consumer_last_commit_age_seconds"], consumer="lagging") < 5
        assert total(after["db_pool_capacity"]) == 2 * settings.database_pool_size
        assert not math.isnan(total(after["db_pool_connections_in_use"]))
    finally:
        stop.set()
        await running
        await producer.stop()
        await watch.stop()
        await plumbing.db.dispose()


async def _applied(harness, count: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await harness.effect_rows()) == count


async def _lag_is(lag, expected: float) -> bool:  # type: ignore[no-untyped-def]
    return await lag() == expected
