"""Fixtures for enforcement's integration tests: the service running in-process on the session's real
PostgreSQL and Kafka, a clock the tests can move, and helpers to feed it registry and grade events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from enforcement.bootstrap import MIGRATIONS, build_app
from enforcement.settings import Settings
from landgrade.testing import eventually, serving
from landgrade_events.evaluation import Metrics, ParcelGraded, Reason
from landgrade_events.registry import ParcelChanged
from landgrade_reference.uscc import uscc_check_character as check_character
from servicekit.events import CloudEvent, EventData


@dataclass
class Clock:
    """Real time plus an offset the test controls (to reach comply-by dates without waiting)."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, days: int) -> None:
        self.offset += timedelta(days=days)


@dataclass
class Enforcement:
    client: httpx.AsyncClient
    settings: Settings
    clock: Clock
    bootstrap: str
    producer: AIOKafkaProducer

    async def publish(self, data: EventData, event_id: str | None = None) -> CloudEvent:
        event = CloudEvent.wrap(data, source="test", event_id=event_id)
        await self.producer.send_and_wait(data.TOPIC, value=event.to_bytes(), key=data.key().encode())
        return event

    async def sql(self, statement: str, **params: Any) -> list[Any]:
        engine = create_async_engine(self.settings.database_url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text(statement), params)).all())
        finally:
            await engine.dispose()

    async def parcel(self, street: str = "荣华街道") -> str:
        """A parcel the registry reported, known to this service once the call returns."""
        parcel_id = f"P-{uuid.uuid4().hex[:10]}"
        await self.publish(ParcelChanged(
            parcel_id=parcel_id, name="Test works", street=street, category="self_use",
            area_m2=Decimal("20000"), holder_uscc=uscc(), version=1))
        await eventually(lambda: self.sql("SELECT 1 FROM parcels WHERE parcel_id = :p", p=parcel_id))
        return parcel_id

    async def grade(self, parcel_id: str, grade: str, *, street: str = "荣华街道", event_id: str | None = None,
                    evaluated_at: datetime | None = None) -> CloudEvent:
        return await self.publish(ParcelGraded(
            evaluation_id=str(uuid.uuid4()), parcel_id=parcel_id, holder_uscc=uscc(), street=street, year=2024,
            grade=grade, status="final", reasons=[Reason(clause="D1", code="lease_refused", text_zh="出租且拒不整改",
                                                         text_en="unauthorised lease, holder refuses to correct")],
            metrics=Metrics(area_ha=Decimal(2), output_value=Decimal(0), tax_paid=Decimal(0),
                            output_per_ha=Decimal(0), tax_per_ha=Decimal(0)),
            ruleset_id="etown-2024-draft", evaluated_at=evaluated_at or self.clock()), event_id=event_id)


def uscc() -> str:
    body = "91110302" + uuid.uuid4().hex[:9].upper()
    return body + check_character(body)


@pytest.fixture
async def enforcement(make_settings: Callable[..., Any], infra: Any, tmp_path: Any) -> AsyncIterator[Enforcement]:
    settings = await make_settings(Settings, MIGRATIONS, evidence_dir=tmp_path / "evidence",
                                   evidence_max_bytes=64 * 1024, overdue_check_seconds=0.2,
                                   pending_check_seconds=0.2)
    clock = Clock()
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap)
    await producer.start()
    try:
        async with serving(build_app(settings, clock=clock)) as client:
            yield Enforcement(client, settings, clock, infra.bootstrap, producer)
    finally:
        await producer.stop()
