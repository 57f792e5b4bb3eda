"""A tiny service made of plumbing only, for testing the outbox, relay and inbox with real
Kafka and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.dialects.postgresql import insert

from servicekit.events import EventData
from servicekit.inbox import EventConsumer, EventHandler, Received, Subscription
from servicekit.settings import ServiceSettings
from servicekit.uow import UnitOfWork
from servicekit.wiring import Plumbing, StandardTables


class Ping(EventData):
    TYPE: ClassVar[str] = "test.pinged.v1"
    TOPIC: ClassVar[str] = ""  # set per test run, so runs never share a topic
    key_: str
    n: int

    def key(self) -> str:
        return self.key_


def ping_type(topic: str) -> type[Ping]:
    return type("Ping", (Ping,), {"TOPIC": topic})


@dataclass
class Harness:
    plumbing: Plumbing
    effects: Table
    topic: str

    async def create_schema(self) -> None:
        async with self.plumbing.db.engine.begin() as conn:
            await conn.run_sync(self.effects.metadata.create_all)

    def consumer(self, name: str, handler: EventHandler[UnitOfWork]) -> EventConsumer:
        """A consumer of this run's pings, declared as a service declares its own."""
        subscription = Subscription(name, {ping_type(self.topic): handler})
        return self.plumbing.subscribe(subscription, lambda session: UnitOfWork(self.plumbing.storage, session=session))

    async def effect_rows(self) -> list[tuple[str, int, int]]:
        async with self.plumbing.db.sessions() as s:
            rows = await s.execute(select(self.effects.c.key, self.effects.c.n, self.effects.c.applied)
                                   .order_by(self.effects.c.seq))
            return [tuple(r) for r in rows]


def build_harness(settings: ServiceSettings) -> Harness:
    metadata = MetaData()
    tables = StandardTables.on(metadata)
    effects = Table("effects", metadata, Column("seq", Integer, primary_key=True, autoincrement=True),
                    Column("key", String, nullable=False), Column("n", Integer, nullable=False),
                    Column("applied", Integer, nullable=False))
    return Harness(Plumbing.build(settings, tables), effects, f"test.pings.{uuid.uuid4().hex[:8]}")


def counting_handler(harness: Harness, poison_n: int | None = None):  # type: ignore[no-untyped-def]
    """Records each applied ping; `applied` counts how many times the same (key, n) was applied."""

    async def handle(uow: UnitOfWork, pings: list[Received[Ping]]) -> None:
        async with uow:
            for received in pings:
                ping = received.data
                if ping.n == poison_n:
                    raise ValueError(f"cannot apply ping {ping.n}")
                already = await uow.session.scalar(
                    select(func.count()).select_from(harness.effects)
                    .where(harness.effects.c.key == ping.key_, harness.effects.c.n == ping.n))
                await uow.session.execute(
                    insert(harness.effects).values(key=ping.key_, n=ping.n, applied=(already or 0) + 1))

    return handle
