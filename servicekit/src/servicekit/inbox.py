"""Idempotent consumer: the effect and the consumed event id commit in one transaction.

Per batch from `getmany`: one transaction. Usually the whole batch applies at once (one inbox
insert; each run of consecutive events of one type through that type's handler). If anything
in it fails, the batch is applied again event by event: per event a savepoint holding the inbox
row and the handler's effect. A redelivered event fails on the inbox key and changes nothing. A handler that
keeps failing (bounded attempts) sends its event to `<topic>.dlq` with the error in headers and the
batch goes on. Offsets are committed explicitly, after the database commit. If the database
itself is unreachable, nothing commits: the consumer seeks back and retries the whole batch.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pydantic import ValidationError
from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database, is_transient, unnest_insert
from servicekit.events import CloudEvent, EventData
from servicekit.kafka import dlq_topic
from servicekit.logging import get_logger
from servicekit.metrics import Metrics
from servicekit.telemetry import Consuming, processing
from servicekit.tracing import current_traceparent, trace_id

_INBOX_COLUMNS = (("consumer", "text"), ("event_id", "text"), ("event_type", "text"))


@dataclass(frozen=True)
class Delivery:
    """An event as delivered, with the trace it came with (for the events it causes)."""

    event: CloudEvent
    traceparent: str | None

    @contextmanager
    def traced(self) -> Iterator[None]:
        """Follow-up events made inside carry this delivery's trace."""
        token = current_traceparent.set(self.traceparent)
        try:
            yield
        finally:
            current_traceparent.reset(token)


# Applies consecutive events of one type, in delivery order, with the effects each would have had
# alone: the whole-batch path passes a run of them, the event-by-event fallback (retries, dead
# letters) a list of one. One handler per event type, so there is one set of rules to keep.
BatchHandler = Callable[[AsyncSession, list[Delivery]], Awaitable[None]]

E = TypeVar("E", bound=EventData)
U = TypeVar("U")


class PoisonEvent(Exception):
    """Raised by a handler for an event that can never be applied (it goes to the DLQ at once)."""


def parse(event: CloudEvent, model: type[E]) -> E:
    """The event's data as this service's contract reads it; an event that does not match the
    contract never will, so it is poison (straight to the dead-letter topic)."""
    try:
        return event.unwrap(model)
    except ValidationError as error:
        raise PoisonEvent(f"{event.type} {event.id} does not match its contract: {error}") from error


@dataclass(frozen=True)
class Received(Generic[E]):
    """One consumed event: its typed data and its delivery (id, trace)."""

    data: E
    delivery: Delivery

    @property
    def event_id(self) -> str:
        return self.delivery.event.id

    def traced(self) -> AbstractContextManager[None]:
        return self.delivery.traced()


# A service's event handler: its unit of work (joined to the inbox's transaction) and the events.
EventHandler = Callable[[U, list[Received[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[U]):
    """One consumer group of a service, declared as a table from event model to handler. Its
    topics are the models' topics; events of types it does not list are skipped (and recorded).

    `bulk_lane()` is the same subscription on the models' bulk topics (`EventData.BULK_TOPIC`), in
    a consumer group of its own so that a bulk backlog never delays the live topics. Both lanes
    record what they applied under the live lane's name: an event a producer sends on both lanes
    (to keep one key's order across them) applies once, on whichever lane delivers it first."""

    consumer: str
    handlers: Mapping[type[EventData], EventHandler[U]]
    bulk: bool = False

    @property
    def topics(self) -> list[str]:
        if self.bulk:
            return sorted({model.BULK_TOPIC for model in self.handlers if model.BULK_TOPIC})
        return sorted({model.TOPIC for model in self.handlers})

    @property
    def group(self) -> str:
        """The Kafka consumer group; the inbox's name is `consumer` on both lanes."""
        return f"{self.consumer}.bulk" if self.bulk else self.consumer

    def bulk_lane(self) -> Subscription[U]:
        models = {model: handler for model, handler in self.handlers.items() if model.BULK_TOPIC}
        if not models:
            raise ValueError(f"{self.consumer}: none of its event types has a bulk topic")
        return Subscription(self.consumer, models, bulk=True)

    def batch_handlers(self, unit_of_work: Callable[[AsyncSession], U]) -> dict[str, BatchHandler]:
        """The handlers on the inbox's session: each parses its deliveries and runs the service's
        handler in a unit of work joined to that transaction."""
        return {model.TYPE: _on_session(model, handler, unit_of_work) for model, handler in self.handlers.items()}


def _on_session(model: type[E], handler: EventHandler[U], unit_of_work: Callable[[AsyncSession], U]) -> BatchHandler:
    async def apply(session: AsyncSession, deliveries: list[Delivery]) -> None:
        await handler(unit_of_work(session), [Received(parse(d.event, model), d) for d in deliveries])

    return apply


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(100), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


class EventConsumer:
    def __init__(self, name: str, topics: list[str], handlers: dict[str, BatchHandler], db: Database,
                 inbox: Table, consumer_factory: Callable[[], AIOKafkaConsumer],
                 producer_factory: Callable[[], AIOKafkaProducer], metrics: Metrics,
                 batch_size: int = 500, max_attempts: int = 3, batch_spacing_seconds: float = 0.0,
                 commit_timeout_seconds: float = 30.0, inbox_name: str | None = None) -> None:
        self.name, self.topics, self.handlers, self.db, self.inbox = name, topics, handlers, db, inbox
        # The name applied events are recorded under: a subscription's lanes share it (`Subscription`).
        self.inbox_name = inbox_name or name
        self.consumer_factory, self.producer_factory, self.metrics = consumer_factory, producer_factory, metrics
        self.batch_size, self.max_attempts = batch_size, max_attempts
        self.batch_spacing, self.commit_timeout = batch_spacing_seconds, commit_timeout_seconds
        self.last_progress = self.last_commit = time.monotonic()
        self.log = get_logger("consumer").bind(consumer=name)

    def stalled_for(self) -> float:
        return time.monotonic() - self.last_progress

    def since_last_commit(self) -> float:
        return time.monotonic() - self.last_commit

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            consumer, producer = self.consumer_factory(), self.producer_factory()
            try:
                await producer.start()
                await consumer.start()
                await self._loop(consumer, producer, stop)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.log.warning("consumer_restart", error=repr(error), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                await _quietly(consumer.stop())
                await _quietly(producer.stop())

    async def _loop(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer, stop: asyncio.Event) -> None:
        backoff = 0.2
        last_batch = 0.0
        while not stop.is_set():
            await self._space_out(last_batch)
            batch = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
            if not batch:
                self.last_progress = time.monotonic()  # caught up: idle is not stalled
                continue
            last_batch = time.monotonic()  # an empty poll is no batch: the next event goes at once
            try:
                await self.process(batch, producer)
            except Exception as error:
                if not is_transient(error):
                    raise
                self.log.warning("batch_retry", error=repr(error), retry_in=backoff)
                for tp, records in batch.items():
                    consumer.seek(tp, records[0].offset)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.2
            # Bounded: an offset commit in flight when the broker dies may never return (aiokafka
            # marks the coordinator dead and does not retry it). On timeout the consumer restarts
            # from its last committed offsets; the batch's events come again and the inbox skips them.
            await asyncio.wait_for(consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()}),
                                   self.commit_timeout)
            # Progress is a committed batch: a batch polled again and again after failing is not.
            self.last_progress = self.last_commit = time.monotonic()

    async def _space_out(self, last_batch: float) -> None:
        """Starts batches at most every `batch_spacing` seconds. A batch costs about the same few
        round trips and commit whatever its size: under a steady moderate flow, a consumer that
        took each event as it came applied batches of a handful, and spent twice the CPU per event
        it spends at full load. A consumer idle for longer takes the next event at once, and one
        whose batches take longer than the spacing never waits."""
        wait = self.batch_spacing - (time.monotonic() - last_batch)
        if wait > 0:
            await asyncio.sleep(wait)

    async def process(self, batch: dict[TopicPartition, list[ConsumerRecord]], producer: AIOKafkaProducer) -> None:
        records = [record for records in batch.values() for record in records]
        if await self._process_whole(records):
            return
        async with self.db.transaction() as session:
            for record in records:
                await self._apply(session, record, producer)

    async def _process_whole(self, records: list[ConsumerRecord]) -> bool:
        """The common case, cheaply: the batch's inbox rows in one statement and every handler in
        the batch's transaction without a savepoint each.

        Returns False, with nothing committed, when an event does not parse or a handler fails;
        the caller then applies the batch event by event in savepoints (retries, dead letters),
        which gives the same effects. Database-unreachable errors propagate as before.
        """
        try:
            events = [CloudEvent.from_bytes(record.value) for record in records]
        except Exception:
            return False
        applied = 0
        with Consuming(self.name, [_traceparent(record) for record in records]) as traced:
            try:
                async with self.db.transaction() as session:
                    fresh = await self._first_deliveries(session, events)
                    deliveries: list[Delivery] = []
                    for index, (record, event) in enumerate(zip(records, events, strict=True)):
                        if event.id in fresh:
                            fresh.discard(event.id)  # the same event twice in one batch applies once
                            deliveries.append(Delivery(event, traced.event(index, record.topic, event.id,
                                                                           event.type)))
                    applied = len(deliveries)
                    for run in _runs_of_one_type(deliveries):
                        await self._apply_run(session, run)
            except Exception as error:
                traced.failed(error)
                if is_transient(error):
                    raise
                self.log.info("batch_applied_event_by_event", error=repr(error))
                return False
        for event_type, count in Counter(d.event.type for d in deliveries).items():
            self.metrics.events_consumed.labels(self.name, event_type).inc(count)
        if len(events) > applied:
            self.metrics.events_duplicate.labels(self.name).inc(len(events) - applied)
        return True

    async def _apply_run(self, session: AsyncSession, run: list[Delivery]) -> None:
        handler = self.handlers.get(run[0].event.type)
        if handler is None:
            return
        if len(run) == 1:
            with _traced(run[0]):
                await handler(session, run)
        else:  # the handler follows each event's own trace (`Received.traced`)
            await handler(session, run)

    async def _first_deliveries(self, session: AsyncSession, events: list[CloudEvent]) -> set[str]:
        # In event id order: two lanes inserting the same ids (one event sent on both) then wait
        # for each other in one order, never in a cycle.
        events = sorted(events, key=lambda e: e.id)
        params = {"consumer": [self.inbox_name] * len(events), "event_id": [e.id for e in events],
                  "event_type": [e.type for e in events]}
        return set((await session.execute(self._record_deliveries, params)).scalars())

    @functools.cached_property
    def _record_deliveries(self) -> Any:
        # One statement text for every batch size (see `db.unnest_insert`), compiled and prepared once.
        return unnest_insert(self.inbox.name, _INBOX_COLUMNS, "ON CONFLICT DO NOTHING RETURNING event_id")

    async def _apply(self, session: AsyncSession, record: ConsumerRecord, producer: AIOKafkaProducer) -> None:
        try:
            event = CloudEvent.from_bytes(record.value)
        except Exception as error:
            await self._dead_letter(producer, record, f"not a CloudEvent: {error}", "unparsable")
            return
        with processing(self.name, record.topic, event.id, event.type, _traceparent(record)) as traceparent:
            token = current_traceparent.set(traceparent)
            structlog.contextvars.bind_contextvars(event_id=event.id, trace_id=trace_id(traceparent))
            try:
                last_error: BaseException | None = None
                for _attempt in range(self.max_attempts):
                    try:
                        async with session.begin_nested():
                            if await self._first_delivery(session, event):
                                handler = self.handlers.get(event.type)
                                if handler is not None:
                                    await handler(session, [Delivery(event, traceparent)])
                                self.metrics.events_consumed.labels(self.name, event.type).inc()
                            else:
                                self.metrics.events_duplicate.labels(self.name).inc()
                        return
                    except PoisonEvent as error:
                        last_error = error
                        break
                    except Exception as error:
                        if is_transient(error):
                            raise
                        last_error = error
                self.log.error("event_dead_lettered", event_id=event.id, event_type=event.type,
                               error=repr(last_error))
                await self._dead_letter(producer, record, repr(last_error), event.type)
            finally:
                current_traceparent.reset(token)
                structlog.contextvars.unbind_contextvars("event_id", "trace_id")

    async def _first_delivery(self, session: AsyncSession, event: CloudEvent) -> bool:
        inserted = await session.execute(
            insert(self.inbox).values(consumer=self.inbox_name, event_id=event.id, event_type=event.type)
            .on_conflict_do_nothing().returning(self.inbox.c.event_id)
        )
        return inserted.first() is not None

    async def _dead_letter(self, producer: AIOKafkaProducer, record: ConsumerRecord, error: str,
                           event_type: str) -> None:
        headers = [(k, v) for k, v in (record.headers or []) if not k.startswith("dlq.")]
        headers += [
            ("dlq.error", error[:2000].encode()), ("dlq.consumer", self.name.encode()),
            ("dlq.original.topic", record.topic.encode()),
            ("dlq.original.partition", str(record.partition).encode()),
            ("dlq.original.offset", str(record.offset).encode()),
            ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await producer.send_and_wait(dlq_topic(record.topic), value=record.value, key=record.key,
                                     headers=headers)
        self.metrics.events_dead_lettered.labels(self.name, event_type).inc()


def _traceparent(record: ConsumerRecord) -> str | None:
    # Any bytes read as text (a context that is not ASCII is invalid, not an error): a producer's
    # malformed header must not fail the batch its event came in.
    return dict(record.headers or []).get("traceparent", b"").decode("latin-1") or None


def _runs_of_one_type(deliveries: list[Delivery]) -> Iterator[list[Delivery]]:
    """Consecutive events of one type, in delivery order: a run may be applied at once."""
    run: list[Delivery] = []
    for delivery in deliveries:
        if run and run[-1].event.type != delivery.event.type:
            yield run
            run = []
        run.append(delivery)
    if run:
        yield run


@contextmanager
def _traced(delivery: Delivery) -> Iterator[None]:
    """The event's trace and id in the context of its handler (logs, follow-up events)."""
    structlog.contextvars.bind_contextvars(event_id=delivery.event.id, trace_id=trace_id(delivery.traceparent))
    try:
        with delivery.traced():
            yield
    finally:
        structlog.contextvars.unbind_contextvars("event_id", "trace_id")


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:  # noqa: S110  # nosec B110  # shutting a client down that never started is fine
        pass
