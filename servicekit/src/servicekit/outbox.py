"""Transactional outbox: events commit with the state change; a relay publishes them afterwards.

Rows are claimed by status (`published_at IS NULL`) with `FOR UPDATE`, in id order, from the
relay's floor on (`outbox_floor`): an id below which nothing unpublished is left or can still
commit. Never by "id greater than the last one seen": sequences commit out of order and such a
relay would skip rows. A published row is deleted in the transaction that claimed it, once Kafka
has acknowledged it: the table holds only what is still to be published. One relay per database
holds the publishing role (a session advisory lock), so per-key order survives running several
replicas.

Two lanes (`bulk_lane`): rows written with `bulk` set (a whole year's grade events, say) are
claimed apart from the others, and the relay takes a batch of the live lane before each batch of
the bulk lane, so an event written behind a million bulk rows waits for one bulk batch, not for
the million. Each lane keeps id order within itself, and its rows go to topics of their own: per
key and topic, order is as before. A relay without a bulk lane claims every row as one lane.
A transaction writing bulk rows holds `BULK_WRITE_LOCK_ID` shared until it ends; once the bulk
lane has been drained, the relay does not claim it again while any such transaction is open. Such
a transaction's uncommitted rows lie in the claim's index beyond the floor, invisible but visited:
a claim each idle second would walk all the rows a yearly run has written so far, a cost that grows
with the square of the run's size. Rows committed meanwhile by a short bulk write wait for the long one.

The role is a lease, not a lock held for ever: the lock's session and every publishing transaction
carry `statement_timeout` and `idle_in_transaction_session_timeout` = the lease (`LEASE_TIMEOUTS`),
and the holder's heartbeat keeps its session busy. A holder that freezes (SIGSTOP, a paused VM, a
node cut off with its TCP connection lingering) shows no sign of life, the server ends its role's
session, and another replica takes the role within the lease plus a second; it first ends any
publishing session still open (see `PUBLISHING_APPLICATION`), releasing the rows it had claimed.
Rows are claimed with `FOR UPDATE` (waiting, never skipping), so a new holder cannot publish past
rows a frozen one still holds. A holder that wakes late can at most finish sending the batch it
held when it froze: those events were published again by its successor, and consumers apply an
event id once, so the late copies have no effect; its next step fails on the ended session and it
stands by.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database, any_of, column_arrays, unnest_insert
from servicekit.driver import OnDriver
from servicekit.events import EventData, envelope_bytes, utc_text
from servicekit.ids import new_id
from servicekit.logging import get_logger
from servicekit.metrics import Metrics
from servicekit.outbox_floor import Floor
from servicekit.partitioning import partition_for
from servicekit.telemetry import Publishing
from servicekit.tracing import current_traceparent, new_traceparent, new_traceparents

RELAY_LOCK_ID = 0x6C67_6F75  # one advisory-lock key per database: each service has its own database
BULK_WRITE_LOCK_ID = 0x6C67_6F62  # held shared by every transaction that writes bulk rows
_TAKE_BULK_WRITE = text(f"SELECT pg_advisory_xact_lock_shared({BULK_WRITE_LOCK_ID})")
# True while a bulk write is open: taking the key exclusively fails (taken, it is let go at once).
_BULK_WRITE_OPEN = text(f"SELECT CASE WHEN pg_try_advisory_lock({BULK_WRITE_LOCK_ID}) "
                        f"THEN NOT pg_advisory_unlock({BULK_WRITE_LOCK_ID}) ELSE true END")


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox", metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False, server_default="{}"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # Set only by relays of an earlier version, which marked rows instead of deleting them;
        # `OutboxRelay.cleanup` deletes such rows (found through `ix_outbox_marked`).
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
        # A row of the bulk lane (see the module docstring); its topic is a bulk topic.
        Column("bulk", Boolean, nullable=False, server_default=text("false")),
        # Partial index: the relay scans only unpublished rows, however large the table grows.
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        # The live lane's claim: a bulk backlog has no entries here, so live rows are found at once.
        Index("ix_outbox_live", "id", postgresql_where=text("published_at IS NULL AND NOT bulk")),
        Index("ix_outbox_marked", "id", postgresql_where=text("published_at IS NOT NULL")),
    )


class Outbox:
    """Adds events to the current transaction. `source` is the CloudEvents source (the service).

    `written` is set whenever a row is made, so this process's relay wakes at once instead of
    polling an empty table many times a second.
    """

    def __init__(self, table: Table, source: str) -> None:
        self.table, self.source = table, source
        self.written = asyncio.Event()

    def row(self, data: EventData, event_id: str | None = None, bulk: bool = False) -> dict[str, Any]:
        """The event's row; `bulk`: by the bulk lane, on the type's bulk topic."""
        return self._row(data, event_id, bulk, utc_text(datetime.now(UTC)), new_traceparent(current_traceparent.get()))

    def rows(self, events: Sequence[EventData]) -> list[dict[str, Any]]:
        """Rows of events written together: one instant and one reading of the trace context for
        all of them (a chunk of a batch call announces thousands), each still its own span."""
        at, span = utc_text(datetime.now(UTC)), new_traceparents(current_traceparent.get())
        return [self._row(e, None, False, at, span()) for e in events]

    def _row(self, data: EventData, event_id: str | None, bulk: bool, at: str, traceparent: str) -> dict[str, Any]:
        self.written.set()
        event_id = event_id or new_id()
        payload = envelope_bytes(self.source, data.TYPE, data.key(), data.model_dump(mode="json"), event_id, at)
        topic = data.BULK_TOPIC if bulk else data.TOPIC
        if topic is None:
            raise ValueError(f"{data.TYPE} has no bulk topic")
        return {
            "event_id": event_id, "topic": topic, "key": data.key(), "payload": payload,
            "headers": {"traceparent": traceparent}, "bulk": bulk,
        }

    async def add(self, session: AsyncSession, *events: EventData) -> list[str]:
        rows = self.rows(events)
        await self.add_rows(session, rows)
        return [r["event_id"] for r in rows]

    async def add_rows(self, session: AsyncSession, rows: list[dict[str, Any]], *, once: bool = False) -> None:
        """Rows made with `row` (each under its own trace), written in one statement. `once`: rows
        that may re-send an event another transaction is re-sending at the same moment; one whose
        id is already in the outbox is left out (the event goes once)."""
        if rows:
            if any(r["bulk"] for r in rows):
                await self.writing_bulk(session)
            await (self._insert_once if once else self._insert).fetch(session, column_arrays(
                ({**r, "headers": orjson.dumps(r["headers"]).decode()} for r in rows), _ROW_COLUMNS))

    @staticmethod
    async def writing_bulk(session: AsyncSession) -> None:
        """Before a transaction writes bulk rows (by `add_rows`, or by COPY): the relay leaves the
        bulk lane alone until it ends (see the module docstring)."""
        await session.execute(_TAKE_BULK_WRITE)

    # Every unit of work that announces anything runs one of these: on the driver (servicekit.driver).
    @functools.cached_property
    def _insert(self) -> OnDriver:
        return OnDriver(unnest_insert(self.table.name, _ROW_COLUMNS))

    @functools.cached_property
    def _insert_once(self) -> OnDriver:
        return OnDriver(unnest_insert(self.table.name, _ROW_COLUMNS, "ON CONFLICT (event_id) DO NOTHING"))


_ROW_COLUMNS = (("event_id", "uuid"), ("topic", "text"), ("key", "text"), ("payload", "bytea"), ("headers", "jsonb"),
                ("bulk", "boolean"))


# What ends a frozen holder's hold on the role and its rows within the lease. Idle in a
# transaction: that transaction's timeout; a statement it left running: the statement timeout.
# Frozen between an exchange's last result and its Sync (the driver's type lookups do that), the
# backend counts as active and no timeout before PostgreSQL 17's `transaction_timeout` reaches
# it: the next holder ends such sessions, found by the application name every publishing
# transaction carries.
LEASE_TIMEOUTS = ("statement_timeout", "idle_in_transaction_session_timeout")
PUBLISHING_APPLICATION = "landgrade-outbox-relay"
_END_FORMER_HOLDERS = text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND application_name = :app "
                           "AND pid <> pg_backend_pid()")


class OutboxRelay:
    """Publishes outbox rows. While events are being written it polls every `poll_seconds`; once
    the table has been empty for `BUSY_WINDOW` seconds it sleeps until this process writes an
    event (`wake`, set by `Outbox.row`) or `idle_seconds` pass, which picks up rows written by
    other processes. Polling an empty table 20 times a second cost each idle service a
    noticeable share of a core (five statements per poll)."""

    BUSY_WINDOW = 1.0

    def __init__(self, db: Database, table: Table, producer_factory: Callable[[], AIOKafkaProducer],
                 metrics: Metrics, batch_size: int = 2000, poll_seconds: float = 0.05,
                 idle_seconds: float = 1.0,
                 wake: asyncio.Event | None = None, lease_seconds: float = 20.0, bulk_lane: bool = False) -> None:
        self.db, self.table, self.producer_factory, self.metrics = db, table, producer_factory, metrics
        self.batch_size, self.poll_seconds = batch_size, poll_seconds
        self.idle_seconds, self.wake = max(idle_seconds, poll_seconds), wake
        self.lease_ms = int(lease_seconds * 1000)
        self.log = get_logger("outbox")
        self.holds_role = False
        # The live lane first: each pass takes its batch before the bulk lane's.
        self.lanes = ([_Lane(table, batch_size, bulk=False), _Lane(table, batch_size, bulk=True)] if bulk_lane
                      else [_Lane(table, batch_size, bulk=None)])
        self._last_busy = time.monotonic()

    @property
    def floor(self) -> Floor:
        """The first (live, or only) lane's floor."""
        return self.lanes[0].floor

    @property
    def claim_statement(self) -> Any:
        """The first (live, or only) lane's claim."""
        return self.lanes[0].claim_statement

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            try:
                await self._serve(stop)
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: wait and claim again, skip nothing
                self.holds_role = False
                self.log.warning("outbox_relay_error", error=repr(exc), retry_in=backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 5.0)

    async def _serve(self, stop: asyncio.Event) -> None:
        async with self.db.engine.connect() as lock_conn:
            if not await lock_conn.scalar(select(func.pg_try_advisory_lock(RELAY_LOCK_ID))):
                await _sleep_or_stop(stop, 1.0)  # another replica publishes; stand by
                return
            for timeout in (*LEASE_TIMEOUTS, "idle_session_timeout"):
                await lock_conn.execute(text(f"SET {timeout} = {self.lease_ms}"))
            # Only the role's holder publishes, so a publishing session still open now is a former
            # holder's, frozen mid-statement where no timeout reaches it: end it, and its rows go.
            await lock_conn.execute(_END_FORMER_HOLDERS, {"app": PUBLISHING_APPLICATION})
            await self.start_floor()
            await self.cleanup()
            self.holds_role = True
            lost = asyncio.Event()
            heartbeat = asyncio.create_task(self._heartbeat(lock_conn, lost))
            producer = self.producer_factory()
            await producer.start()
            try:
                while not stop.is_set():
                    if lost.is_set():
                        raise RuntimeError("the relay's lease ended (its database session was closed)")
                    self._note_wake()
                    sent = [await self.publish_batch(producer, lane) for lane in self.lanes]
                    if any(sent):
                        self._last_busy = time.monotonic()
                    if max(sent) < self.batch_size:
                        await self._pause(stop)
            finally:
                self.holds_role = False
                heartbeat.cancel()
                await producer.stop()
                if not lost.is_set():
                    await lock_conn.execute(select(func.pg_advisory_unlock(RELAY_LOCK_ID)))

    async def start_floor(self) -> None:
        """A new holder claims from the start of the table until its first fence clears."""
        for lane in self.lanes:
            lane.drained = False
        async with self.db.sessions() as session:
            enabled = [await lane.floor.start(session) for lane in self.lanes]
            if not all(enabled):
                self.log.warning("outbox_relay_no_floor", reason="the outbox sequence is cached or decreasing: "
                                 "every claim scans from the start of the table")

    async def _heartbeat(self, conn: Any, lost: asyncio.Event) -> None:
        """Keeps the role's session busy four times per lease; a failure means the role is gone."""
        try:
            while True:
                await asyncio.sleep(self.lease_ms / 4000)
                await conn.execute(text("SELECT 1"))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.log.warning("outbox_relay_lease_lost", error=repr(exc))
            lost.set()

    def _note_wake(self) -> None:
        if self.wake is not None and self.wake.is_set():
            self.wake.clear()
            self._last_busy = time.monotonic()

    async def _pause(self, stop: asyncio.Event) -> None:
        """A short poll while events are being written (a woken relay may run before the writer's
        commit), else sleep until woken, stopped or `idle_seconds` pass."""
        if self.wake is None or time.monotonic() - self._last_busy < self.BUSY_WINDOW or self.wake.is_set():
            await _sleep_or_stop(stop, self.poll_seconds)
            return
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    # Built once per relay: its statements are the same every batch (see `db.any_of`).
    @functools.cached_property
    def _delete_published(self) -> Any:
        return delete(self.table).where(any_of(self.table.c.id, "ids"))

    async def publish_batch(self, producer: AIOKafkaProducer, lane: _Lane | None = None) -> int:
        """One batch of `lane` (the first lane when not given): claimed, sent, deleted."""
        t, lane = self.table, lane or self.lanes[0]
        async with self.db.transaction() as session:
            # A transaction a frozen holder left ends with the lease, releasing its rows.
            await session.execute(_PUBLISHING_SETTINGS, {"app": PUBLISHING_APPLICATION, "lease": str(self.lease_ms)})
            if lane.bulk and lane.drained and await session.scalar(_BULK_WRITE_OPEN):
                return 0  # nothing committed is waiting; what a bulk write adds shows when it ends
            rows = (await session.execute(lane.claim_statement, {"floor": lane.floor.value})).all()
            lane.drained = len(rows) < lane.batch_size
            lane.floor.claimed(rows[0].id if rows else None)
            if not rows:
                return 0
            results = await _send_all(producer, rows)
            sent_ids, failure = _published_prefix(rows, results)
            if sent_ids:
                await session.execute(self._delete_published, {"ids": sent_ids})
                await lane.floor.fence(session)
            if failure is not None:
                failed_id, error = failure
                await session.execute(update(t).where(t.c.id == failed_id)
                                      .values(attempts=t.c.attempts + 1, last_error=repr(error)))
        self.metrics.events_published.inc(len(sent_ids))
        if failure is not None:
            raise RuntimeError(f"publishing outbox row {failure[0]} failed: {failure[1]!r}")
        return len(rows)

    async def cleanup(self) -> None:
        """Deletes rows a relay of an earlier version marked published instead of deleting them.
        Only the role's holder publishes and this version never marks, so such rows are a former
        holder's, all there when the role is taken: the sweep runs then, not on a timer. It reads
        only `ix_outbox_marked` (empty unless such rows exist), never the table: a scan of a yearly
        run's million fresh rows holds the relay for seconds (each page's hint bits set and logged)."""
        async with self.db.transaction() as session:
            await session.execute(SWEEP_PLAN)
            await session.execute(self.sweep_statement)

    @functools.cached_property
    def sweep_statement(self) -> Any:
        return delete(self.table).where(self.table.c.published_at.is_not(None))

    async def pending(self) -> int:
        async with self.db.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None)))
            return int(count or 0)


class _Lane:
    """Rows the relay claims together: the bulk lane (`bulk` True), the live lane (False) or, for a
    relay without lanes, every row (None). Each has its own floor: the floor's argument holds for
    the rows of one lane as it does for all of them (`outbox_floor`)."""

    def __init__(self, table: Table, batch_size: int, bulk: bool | None) -> None:
        self.table, self.batch_size, self.bulk = table, batch_size, bulk
        self.floor = Floor(table)
        # The last claim came back short: every committed row of the lane was claimed.
        self.drained = False

    @functools.cached_property
    def claim_statement(self) -> Any:
        """The statement every batch of the lane claims its rows with: unpublished rows from the
        floor on, in id order, waiting for (never skipping) rows another transaction holds. The
        headers come as text: decoding JSON per row in the driver cost more than the rest of the row."""
        t = self.table
        # `bulk` / `NOT bulk` as written, so the planner matches the live lane's partial index.
        lane = [] if self.bulk is None else [t.c.bulk if self.bulk else ~t.c.bulk]
        return (select(t.c.id, t.c.topic, t.c.key, t.c.payload, cast(t.c.headers, Text).label("headers"))
                .where(t.c.published_at.is_(None), *lane, t.c.id >= bindparam("floor"))
                .order_by(t.c.id).limit(self.batch_size).with_for_update())


# The publishing transaction's name, its lease, and the claim's plan, in one round trip (SET LOCAL,
# as set_config's third argument says). The claim must walk the unpublished rows' index in id order
# from the floor and stop after a batch: a bitmap scan and a sort read the whole backlog for every
# batch, and the planner picks them whenever it underestimates the backlog (a table written by one
# COPY and not analysed yet, or the floor's range guessed at a third of the table).
CLAIM_PLAN = {"enable_bitmapscan": "off", "enable_sort": "off"}
_PUBLISHING_SETTINGS = text("SELECT set_config('application_name', :app, true), "
                            + ", ".join([*(f"set_config('{t}', :lease, true)" for t in LEASE_TIMEOUTS),
                                         *(f"set_config('{k}', '{v}', true)" for k, v in CLAIM_PLAN.items())]))
# The sweep's plan for its transaction: without statistics on `published_at` (a table no
# ANALYZE has seen with rows) the planner takes most rows for marked ones and scans the table.
SWEEP_PLAN = text("SELECT set_config('enable_seqscan', 'off', true)")
_CONTENT_TYPE = ("content-type", b"application/cloudevents+json; charset=UTF-8")


async def _send_all(producer: AIOKafkaProducer, rows: Sequence[Any]) -> list[Any]:
    """Sends the rows as record batches built here, one per partition (another when one is full),
    each record in id order within its partition, and returns each row's outcome: its batch's
    result or exception. A closed batch goes out at once (no linger): the claim is the batching.
    Building batches here instead of `producer.send` per record saves that call's per-record
    bookkeeping, the largest share of the relay's CPU."""
    spans = Publishing()
    partitions: dict[str, list[int]] = {}
    open_batches: dict[tuple[str, int], Any] = {}
    sent: dict[int, Any] = {}  # id(batch) -> its delivery future
    row_batches: list[Any] = []
    for row in rows:
        topic = row.topic
        if (among := partitions.get(topic)) is None:
            among = partitions[topic] = sorted(await producer.partitions_for(topic))
        headers = spans.headers(topic, orjson.loads(row.headers) if row.headers else {})
        headers.append(_CONTENT_TYPE)
        key = row.key.encode()
        tp = (topic, partition_for(key, among))
        batch = open_batches.get(tp)
        if batch is None or batch.append(key=key, value=row.payload, timestamp=None, headers=headers) is None:
            if batch is not None:
                sent[id(batch)] = await _submit(producer, batch, tp)
            batch = open_batches[tp] = producer.create_batch()
            batch.append(key=key, value=row.payload, timestamp=None, headers=headers)  # a first record always fits
        row_batches.append(batch)
    for tp, batch in open_batches.items():
        sent[id(batch)] = await _submit(producer, batch, tp)
    outcomes = dict(zip(sent, await asyncio.gather(*sent.values(), return_exceptions=True), strict=True))
    results = [outcomes[id(batch)] for batch in row_batches]
    spans.finish(results)
    return results


async def _submit(producer: AIOKafkaProducer, batch: Any, tp: tuple[str, int]) -> Any:
    batch.close()
    return await producer.send_batch(batch, tp[0], partition=tp[1])


def _published_prefix(rows: Sequence[Any], results: list[Any]) -> tuple[list[int], tuple[int, Any] | None]:
    """Rows are marked only up to the first failure, so a retry re-sends in the original order."""
    for n, result in enumerate(results):
        if isinstance(result, BaseException):
            return [row.id for row in rows[:n]], (rows[n].id, result)
    return [row.id for row in rows], None


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
