"""`/readyz` watches consumers by their progress: a batch that keeps failing is no progress.

Regression: the consumer used to count every poll as progress, so a batch retried forever
(an error classified as transient while the database answered pings) kept the consumer "ok".
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from landgrade.testing import eventually
from servicekit.events import CloudEvent
from tests.foundation.relay_fixture import counting_handler
from tests.foundation.test_outbox_inbox import _count, _publish, _ready, _run_relay_until_empty


async def test_a_batch_retried_forever_is_no_progress_and_recovery_is(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings, harness = await _ready(make_settings)
    from tests.foundation.relay_fixture import ping_type

    Ping = ping_type(harness.topic)
    await _publish(harness, [Ping(key_="a", n=1)])
    await _run_relay_until_empty(harness)

    failing = True
    apply = counting_handler(harness)

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        if failing:
            raise ConnectionError("downstream unreachable")  # classified transient: the batch is retried
        await apply(session, event)

    consumer = harness.plumbing.consumer("progress", [harness.topic], {"test.pinged.v1": handler})
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        # Retries back off to at most 5 s between polls; stalled time must grow past that.
        await eventually(lambda: consumer.stalled_for() > 7, timeout=30)
        failing = False
        await eventually(lambda: _count(harness, 1), timeout=30)
        await eventually(lambda: consumer.stalled_for() < 1, timeout=10)
    finally:
        stop.set()
        await task
        await harness.plumbing.db.dispose()
