"""The outbox's bulk lane, through real PostgreSQL and Kafka: a live event written behind a bulk
backlog goes out with the relay's next pass, not after the backlog; each lane keeps id order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.dialects import postgresql

from landgrade.testing import read_events
from servicekit.kafka import ensure_topics
from servicekit.migrations import ensure_database
from servicekit.outbox import CLAIM_PLAN, SWEEP_PLAN
from servicekit.settings import ServiceSettings
from tests.foundation.relay_fixture import Harness, Ping, build_harness

pytestmark = pytest.mark.infra


async def _ready(make_settings: Any) -> tuple[Harness, type[Ping]]:
    settings = await make_settings(ServiceSettings, outbox_batch_size=500)
    harness = build_harness(settings)
    await ensure_database(settings.database_url)
    await harness.create_schema()
    bulk_topic = f"{harness.topic}.bulk"
    await ensure_topics(settings, [harness.topic, bulk_topic])
    lanes: type[Ping] = type("Ping", (Ping,), {"TOPIC": harness.topic, "BULK_TOPIC": bulk_topic})
    return harness, lanes


async def _write(harness: Harness, rows: list[dict[str, Any]]) -> None:
    async with harness.plumbing.db.transaction() as session:
        await harness.plumbing.outbox.add_rows(session, rows)


async def _left(harness: Harness, bulk: bool) -> int:
    t = harness.plumbing.tables.outbox
    async with harness.plumbing.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(t).where(t.c.bulk.is_(bulk))) or 0)


async def test_a_live_event_behind_a_bulk_backlog_goes_out_with_the_next_pass(make_settings: Any, infra: Any) -> None:
    harness, Lanes = await _ready(make_settings)
    outbox = harness.plumbing.outbox
    await _write(harness, [outbox.row(Lanes(key_=f"k{n % 7}", n=n), bulk=True) for n in range(3_000)])
    await _write(harness, [outbox.row(Lanes(key_="k1", n=-1))])  # written after the whole backlog
    relay = harness.plumbing.relay(bulk_lane=True)
    await relay.start_floor()
    producer = relay.producer_factory()
    await producer.start()
    try:
        live, bulk = relay.lanes
        assert await relay.publish_batch(producer, live) == 1  # the pass's live batch: only it
        assert await _left(harness, bulk=False) == 0 and await _left(harness, bulk=True) == 3_000
        [event] = await read_events(infra.bootstrap, harness.topic, lambda e: True)
        assert event.data["n"] == -1
        while await relay.publish_batch(producer, bulk):
            pass
        assert await _left(harness, bulk=True) == 0
    finally:
        await producer.stop()
    events = await read_events(infra.bootstrap, f"{harness.topic}.bulk", lambda e: e.subject == "k3", count=3000 // 7)
    assert [e.data["n"] for e in events] == list(range(3, 3_000, 7))  # one key, in the order written
    await harness.plumbing.db.dispose()


async def test_the_live_lane_claims_through_an_index_a_bulk_backlog_is_not_in(make_settings: Any) -> None:
    harness, Lanes = await _ready(make_settings)
    outbox = harness.plumbing.outbox
    await _write(harness, [outbox.row(Lanes(key_=f"k{n}", n=n), bulk=True) for n in range(5_000)])
    relay = harness.plumbing.relay(bulk_lane=True)
    claim = relay.lanes[0].claim_statement.params(floor=0)
    sql = str(claim.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with harness.plumbing.db.transaction() as session:
        await session.execute(text("ANALYZE outbox"))
        for name, value in CLAIM_PLAN.items():
            await session.execute(text(f"SET LOCAL {name} = {value}"))
        raw = (await session.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql))).scalar()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    assert "ix_outbox_live" in json.dumps(plan) and plan["Actual Rows"] == 0
    assert plan["Shared Hit Blocks"] + plan.get("Shared Read Blocks", 0) < 10  # not the 5,000 bulk rows
    await harness.plumbing.db.dispose()


async def test_the_bulk_lane_is_not_claimed_while_a_bulk_write_is_open(make_settings: Any, infra: Any) -> None:
    """A yearly run's uncommitted rows lie in the claim's index beyond the floor: a claim would walk
    every one of them and find nothing. Committed rows before them still go out; theirs after it."""
    harness, Lanes = await _ready(make_settings)
    outbox = harness.plumbing.outbox
    await _write(harness, [outbox.row(Lanes(key_="k1", n=n), bulk=True) for n in range(700)])  # committed
    relay = harness.plumbing.relay(bulk_lane=True)
    live, bulk = relay.lanes
    claims: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FOR UPDATE" in statement and "AND outbox.bulk AND" in statement:  # the bulk lane's claim
            claims.append(statement)

    event.listen(harness.plumbing.db.engine.sync_engine, "before_cursor_execute", note)
    await relay.start_floor()
    producer = relay.producer_factory()
    await producer.start()
    try:
        async with harness.plumbing.db.transaction() as writer:  # the run: open while the relay works
            await outbox.add_rows(writer, [outbox.row(Lanes(key_="k1", n=1000 + n), bulk=True) for n in range(3_000)])
            assert await relay.publish_batch(producer, bulk) == 500  # committed before the run: out
            assert await relay.publish_batch(producer, bulk) == 200  # short: walked past the run once
            walked = len(claims)
            for _ in range(3):
                assert await relay.publish_batch(producer, bulk) == 0
                assert await relay.publish_batch(producer, live) == 0
            assert len(claims) == walked == 2
        while await relay.publish_batch(producer, bulk):  # the run committed: its rows go out
            pass
        assert await _left(harness, bulk=True) == 0
    finally:
        await producer.stop()
        event.remove(harness.plumbing.db.engine.sync_engine, "before_cursor_execute", note)
    events = await read_events(infra.bootstrap, f"{harness.topic}.bulk", lambda e: True, count=3_700)
    assert [e.data["n"] for e in events] == [*range(700), *range(1000, 4000)]
    await harness.plumbing.db.dispose()


async def test_an_event_re_sent_by_two_writers_at_once_is_written_once(make_settings: Any) -> None:
    harness, Lanes = await _ready(make_settings)
    outbox = harness.plumbing.outbox
    first = outbox.row(Lanes(key_="k1", n=1))
    await _write(harness, [first])
    again, other = outbox.row(Lanes(key_="k1", n=1), first["event_id"]), outbox.row(Lanes(key_="k1", n=2))
    async with harness.plumbing.db.transaction() as session:
        await outbox.add_rows(session, [again, other], once=True)
    t = harness.plumbing.tables.outbox
    async with harness.plumbing.db.sessions() as session:
        ids = (await session.execute(select(t.c.event_id).order_by(t.c.id))).scalars().all()
    assert ids == [first["event_id"], other["event_id"]]
    await harness.plumbing.db.dispose()


async def test_the_sweep_of_rows_marked_by_an_earlier_relay_reads_only_their_index(make_settings: Any) -> None:
    """With no statistics on `published_at` yet (a fresh outbox, or one a million rows were just
    committed to), the planner takes most rows for marked ones; a sequential scan of a yearly run's
    million rows stopped the relay for seconds. The sweep runs once per role, through its index."""
    harness, Lanes = await _ready(make_settings)
    outbox = harness.plumbing.outbox
    await _write(harness, [outbox.row(Lanes(key_=f"k{n}", n=n), bulk=True) for n in range(5_000)])
    t = harness.plumbing.tables.outbox
    async with harness.plumbing.db.transaction() as session:  # one row an earlier version marked
        await session.execute(t.update().where(t.c.id == select(func.min(t.c.id)).scalar_subquery())
                               .values(published_at=func.now()))
    relay = harness.plumbing.relay(bulk_lane=True)
    sql = str(relay.sweep_statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with harness.plumbing.db.transaction() as session:
        await session.execute(SWEEP_PLAN)
        raw = (await session.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql))).scalar()
        await session.rollback()  # EXPLAIN ANALYZE deleted it: the relay's own sweep does below
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    assert "ix_outbox_marked" in json.dumps(plan) and "Seq Scan" not in json.dumps(plan)
    assert plan["Shared Hit Blocks"] + plan.get("Shared Read Blocks", 0) < 20  # not the 5,000 rows' pages

    await relay.start_floor()
    await relay.cleanup()
    assert await _left(harness, bulk=True) == 4_999 and await relay.pending() == 4_999
    await harness.plumbing.db.dispose()
