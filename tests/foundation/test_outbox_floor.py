"""The relay's floor and delete-on-publish, through real PostgreSQL and Kafka: a row whose
transaction commits after later ids were published still goes out, in per-key order; published
rows leave the table; an empty claim after a drain reads a few pages however many were published."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql

from landgrade.testing import read_events
from servicekit import outbox_floor
from servicekit.kafka import ensure_topics
from servicekit.migrations import ensure_database
from servicekit.outbox import CLAIM_PLAN, OutboxRelay
from servicekit.settings import ServiceSettings
from tests.foundation.relay_fixture import Harness, build_harness, ping_type

pytestmark = pytest.mark.infra


async def _ready(make_settings: Any, **overrides: Any) -> Harness:
    settings = await make_settings(ServiceSettings, **overrides)
    harness = build_harness(settings)
    await ensure_database(settings.database_url)
    await harness.create_schema()
    await ensure_topics(settings, [harness.topic])
    return harness


async def _write(harness: Harness, *pings: Any) -> None:
    async with harness.plumbing.db.transaction() as session:
        await harness.plumbing.outbox.add(session, *pings)


async def _drain(relay: OutboxRelay) -> int:
    producer = relay.producer_factory()
    await producer.start()
    sent = 0
    try:
        while n := await relay.publish_batch(producer):
            sent += n
    finally:
        await producer.stop()
    return sent


async def _left(harness: Harness) -> int:
    async with harness.plumbing.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(harness.plumbing.tables.outbox)) or 0)


async def test_a_row_committed_after_later_ids_were_published_still_goes_out_in_key_order(
        make_settings: Any, infra: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_floor, "FENCE_SECONDS", 0.0)  # a fence after every batch
    harness = await _ready(make_settings, outbox_batch_size=50)
    Ping = ping_type(harness.topic)
    relay = harness.plumbing.relay()
    await relay.start_floor()
    assert relay.floor.enabled

    await _write(harness, *(Ping(key_=f"k{n % 7}", n=n) for n in range(-100, 0)))
    assert await _drain(relay) == 100 and relay.floor.value > 0

    # A transaction draws its id first and stays open while 300 later ids commit and go out.
    late = harness.plumbing.db.sessions()
    session = await late.__aenter__()
    await session.begin()
    await harness.plumbing.outbox.add(session, Ping(key_="late", n=0))
    late_id = await session.scalar(select(func.max(harness.plumbing.tables.outbox.c.id)))
    for start in range(0, 300, 25):
        await _write(harness, *(Ping(key_=f"k{n % 7}", n=n) for n in range(start + 1, start + 26)))
    assert await _drain(relay) == 300
    assert relay.floor.value <= late_id  # never past the open transaction's row

    await session.commit()
    await late.__aexit__(None, None, None)
    await _write(harness, Ping(key_="late", n=1000))  # the same key, after the late row committed
    await _write(harness, *(Ping(key_=f"k{n % 7}", n=n) for n in range(301, 351)))
    assert await _drain(relay) == 52
    assert await _left(harness) == 0  # published rows are deleted, not kept

    events = await read_events(infra.bootstrap, harness.topic, lambda e: True, count=452)
    per_key: dict[str, list[int]] = defaultdict(list)
    for event in events:
        per_key[event.subject or ""].append(event.data["n"])
    assert per_key["late"] == [0, 1000]
    assert sorted(n for ns in per_key.values() for n in ns) == [*range(-100, 351), 1000]
    assert all(ns == sorted(ns) for ns in per_key.values())
    assert relay.floor.value > late_id
    await harness.plumbing.db.dispose()


async def test_an_empty_claim_after_a_drain_reads_a_few_pages_however_many_were_published(
        make_settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scanning from the start, the claim walked every index entry of the rows published before it
    (a heap visit each while any snapshot could still see them): its cost grew with the backlog."""
    monkeypatch.setattr(outbox_floor, "FENCE_SECONDS", 0.0)
    harness = await _ready(make_settings, outbox_batch_size=500)
    Ping = ping_type(harness.topic)
    relay = harness.plumbing.relay()
    await relay.start_floor()
    # An open snapshot, as a long report or a backup holds: no dead entry can be cleaned meanwhile.
    async with harness.plumbing.db.engine.connect() as connection:
        holder = await connection.execution_options(isolation_level="REPEATABLE READ")
        await holder.execute(text("SELECT 1"))  # its snapshot is taken here and held
        for start in range(0, 10_000, 2_000):
            await _write(harness, *(Ping(key_=f"k{n % 97}", n=n) for n in range(start, start + 2_000)))
        assert await _drain(relay) == 10_000
        plan = await _explain_claim(harness, relay)
        await holder.rollback()
    assert plan["Plan"]["Actual Rows"] == 0
    buffers = plan["Plan"]["Shared Hit Blocks"] + plan["Plan"].get("Shared Read Blocks", 0)
    assert buffers < 50, buffers  # from the floor: not the 10,000 rows published below it
    await harness.plumbing.db.dispose()


async def _explain_claim(harness: Harness, relay: OutboxRelay) -> Any:
    """EXPLAIN ANALYZE of the relay's own claim from its floor, planned as its transactions plan it."""
    claim = relay.claim_statement.params(floor=relay.floor.value)
    sql = str(claim.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with harness.plumbing.db.transaction() as session:
        for name, value in CLAIM_PLAN.items():
            await session.execute(text(f"SET LOCAL {name} = {value}"))
        raw = (await session.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql))).scalar()
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


async def test_a_cached_sequence_keeps_the_floor_at_zero(make_settings: Any) -> None:
    harness = await _ready(make_settings)
    async with harness.plumbing.db.transaction() as session:
        await session.execute(text("ALTER SEQUENCE outbox_id_seq CACHE 20"))
    relay = harness.plumbing.relay()
    await relay.start_floor()
    assert not relay.floor.enabled
    await _write(harness, ping_type(harness.topic)(key_="a", n=1))
    assert await _drain(relay) == 1 and relay.floor.value == 0
    await harness.plumbing.db.dispose()
