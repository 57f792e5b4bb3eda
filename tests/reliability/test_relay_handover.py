"""The relay's publishing role hands over when its holder freezes: a replica stopped with SIGSTOP
(as a paused VM or a node cut off with its TCP connection lingering) keeps its database session
open, and once held its advisory lock for ever. The role is now a lease: the database ends the
frozen holder's sessions after `OUTBOX_RELAY_LEASE_SECONDS`, and the standby publishes.

Real PostgreSQL and Kafka; the frozen holder is a separate process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from landgrade.testing import read_events
from servicekit.kafka import ensure_topics
from servicekit.migrations import ensure_database
from servicekit.settings import ServiceSettings
from tests.foundation.relay_fixture import build_harness, ping_type

pytestmark = [pytest.mark.infra, pytest.mark.reliability]

ROOT = Path(__file__).resolve().parents[2]
LEASE = 4.0
RELAY = """
import asyncio
from servicekit.settings import ServiceSettings
from tests.foundation.relay_fixture import build_harness

async def main():
    await build_harness(ServiceSettings()).plumbing.relay().run(asyncio.Event())

asyncio.run(main())
"""


async def test_a_frozen_relay_hands_over_within_its_lease_and_its_late_copies_have_no_effect(
        make_settings, infra) -> None:  # type: ignore[no-untyped-def]
    settings = await make_settings(ServiceSettings, outbox_relay_lease_seconds=LEASE)
    await ensure_database(settings.database_url)
    harness = build_harness(settings)
    await harness.create_schema()
    await ensure_topics(settings, [harness.topic])
    Ping = ping_type(harness.topic)

    async def write(*ns: int) -> None:
        async with harness.plumbing.db.transaction() as session:
            await harness.plumbing.outbox.add(session, *(Ping(key_=f"k{n % 3}", n=n) for n in ns))

    env = os.environ | {"DATABASE_URL": settings.database_url, "KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap,
                        "OUTBOX_RELAY_LEASE_SECONDS": str(LEASE), "OUTBOX_POLL_SECONDS": "0.02",
                        "ENVIRONMENT": "test"}
    holder = await asyncio.create_subprocess_exec(sys.executable, "-c", RELAY, cwd=ROOT, env=env)
    stop = asyncio.Event()
    standby_task = None
    try:
        await write(0)
        await read_events(infra.bootstrap, harness.topic, lambda e: e.data["n"] == 0, count=1, timeout=60)

        holder.send_signal(signal.SIGSTOP)  # frozen while holding the role
        frozen_at = time.monotonic()
        standby_task = asyncio.create_task(harness.plumbing.relay().run(stop))
        await write(*range(1, 31))
        await read_events(infra.bootstrap, harness.topic, lambda e: e.data["n"] == 30, count=1, timeout=60)
        handover = time.monotonic() - frozen_at
        print(f"\nrelay hand-over after SIGSTOP: {handover:.1f} s (lease {LEASE:.0f} s)")
        assert handover < 30, "another replica must publish within 30 s of the holder freezing"

        holder.send_signal(signal.SIGCONT)  # wakes late: it must not publish with effect
        await asyncio.sleep(LEASE)
        await write(*range(31, 41))
        await read_events(infra.bootstrap, harness.topic, lambda e: e.data["n"] == 40, count=1, timeout=60)
        events = await read_events(infra.bootstrap, harness.topic, lambda e: True, count=10**6, timeout=3)
    finally:
        stop.set()
        if standby_task is not None:
            await asyncio.wait_for(standby_task, 30)
        holder.send_signal(signal.SIGCONT)
        holder.kill()
        await asyncio.wait_for(holder.wait(), 10)
        await harness.plumbing.db.dispose()

    first_seen: dict[str, int] = {}
    per_key: dict[str, list[int]] = defaultdict(list)
    for event in events:
        if event.id not in first_seen:  # a consumer applies an event id once
            first_seen[event.id] = event.data["n"]
            per_key[event.subject or ""].append(event.data["n"])
    assert sorted(first_seen.values()) == list(range(41)), "every event published"
    assert all(ns == sorted(ns) for ns in per_key.values()), f"per-key order broken: {dict(per_key)}"
