"""`/readyz` watches consumers by their progress: a batch that keeps failing is no progress.

Regression: the consumer used to count every poll as progress, so a batch retried forever
(an error classified as transient while the database answered pings) kept the consumer "ok".
"""

from __future__ import annotations

import asyncio
from typing import Any

from landgrade.testing import eventually
from servicekit.inbox import Received
from servicekit.uow import UnitOfWork
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

    async def handler(uow: UnitOfWork, pings: list[Received[Any]]) -> None:
        if failing:
            raise ConnectionError("downstream unreachable")  # classified transient: the batch is retried
        await apply(uow, pings)

    consumer = harness.consumer("progress", handler)
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


class _ServerStartingUp(Exception):
    """What asyncpg raises while PostgreSQL recovers from a crash (SQLSTATE 57P03)."""

    sqlstate = "57P03"


async def test_a_database_still_starting_up_delays_events_and_dead_letters_none(  # type: ignore[no-untyped-def]
        make_settings, infra) -> None:
    """Regression (chaos run): right after `pg_ctl stop -m immediate` and a restart, connections
    fail with "the database system is starting up". That was taken for a broken event: each one
    went to the DLQ, and its effect was lost."""
    from sqlalchemy.exc import DBAPIError

    from landgrade.testing import read_events
    from tests.foundation.relay_fixture import ping_type

    settings, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    await _publish(harness, [Ping(key_="a", n=i) for i in range(3)])
    await _run_relay_until_empty(harness)
    failures = 5
    apply = counting_handler(harness)

    async def handler(uow: UnitOfWork, pings: list[Received[Any]]) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise DBAPIError("SELECT 1", None, _ServerStartingUp("the database system is starting up"))
        await apply(uow, pings)

    consumer = harness.consumer("starting-up", handler)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: _count(harness, 3), timeout=30)
    finally:
        stop.set()
        await task
    assert [(k, n, applied) for k, n, applied in await harness.effect_rows()] == [("a", i, 1) for i in range(3)]
    assert await read_events(infra.bootstrap, harness.topic + ".dlq", lambda e: True, count=1, timeout=3) == []
    await harness.plumbing.db.dispose()
