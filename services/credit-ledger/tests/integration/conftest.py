"""A running credit-ledger (real PostgreSQL and Kafka) and a world of enterprises to feed it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text

from credit_ledger.bootstrap import MIGRATIONS, build_app
from credit_ledger.service_layer.context import Context
from credit_ledger.settings import Settings
from landgrade.testing import eventually, serving
from landgrade_events.enforcement import CaseChanged
from landgrade_events.evaluation import Metrics, ParcelGraded, Reason
from landgrade_events.registry import EnterpriseChanged, ResponsiblePersonRef, Shareholder
from landgrade_reference.uscc import with_check_character
from servicekit.events import CloudEvent, EventData

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def uscc() -> str:
    """A fresh, valid USCC (hex digits are all in the USCC alphabet; the check character computed)."""
    return with_check_character("91110302" + uuid.uuid4().hex[:9].upper())


def ref(prefix: str = "P") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class World:
    client: httpx.AsyncClient
    app: FastAPI
    producer: AIOKafkaProducer
    bootstrap: str
    clock: int = 0

    @property
    def context(self) -> Context:
        context: Context = self.app.state.context
        return context

    @property
    def db(self) -> Any:
        return self.context.storage.db

    async def publish(self, data: EventData, event_id: str | None = None, *, bulk: bool = False) -> CloudEvent:
        """The event on its topic (`bulk`: on its bulk lane's topic)."""
        envelope = CloudEvent.wrap(data, source="test", event_id=event_id)
        await self.publish_envelope(envelope, data, bulk=bulk)
        return envelope

    async def publish_envelope(self, envelope: CloudEvent, data: EventData, *, bulk: bool = False) -> None:
        topic = data.BULK_TOPIC if bulk else data.TOPIC
        assert topic is not None
        await self.producer.send_and_wait(topic, envelope.to_bytes(), key=data.key().encode())

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.db.sessions() as session:
            return await session.scalar(text(sql), params)

    async def enterprise(self, uscc_: str, name: str, persons: list[tuple[str, str]] | None = None,
                         shareholders: list[str] | None = None,
                         stakes: dict[str, Decimal] | None = None, effective_on: date | None = None) -> None:
        """Publishes the enterprise (persons as (token, name); enterprise shareholders by USCC, or
        with their stake in percent; the day the change took effect) and waits until the graph has
        it."""
        persons = persons or []
        stakes = {s: Decimal("60") for s in shareholders or []} | (stakes or {})
        await self.publish(EnterpriseChanged(
            uscc=uscc_, name=name, status="active", effective_on=effective_on,
            responsible_persons=[ResponsiblePersonRef(person_ref=p, name=n, role="legal_representative")
                                 for p, n in persons],
            shareholders=[Shareholder(kind="enterprise", uscc=s, share=share) for s, share in stakes.items()],
        ))
        await eventually(lambda: self.scalar(
            "SELECT 1 FROM enterprises WHERE uscc = :u AND name = :n AND "
            "(SELECT count(*) FROM responsible_persons WHERE uscc = :u AND valid_to IS NULL) = :c AND "
            "(SELECT count(*) FROM equity_links WHERE investee_uscc = :u AND valid_to IS NULL) = :s",
            u=uscc_, n=name, c=len(persons), s=len(stakes)))

    def graded(self, parcel: str, holder: str, grade: str, status: str = "final", year: int = 2024,
               evaluation_id: str | None = None) -> ParcelGraded:
        self.clock += 1
        zero = Decimal("0")
        return ParcelGraded(
            evaluation_id=evaluation_id or ref("ev"), parcel_id=parcel, holder_uscc=holder, street="荣华街道",
            year=year, grade=grade, status=status,
            reasons=[Reason(clause="2.1", code=f"grade_{grade.lower()}", text_zh="测试", text_en=f"test {grade}")],
            metrics=Metrics(area_ha=Decimal("2"), output_value=zero, tax_paid=zero, output_per_ha=zero,
                            tax_per_ha=zero),
            ruleset_id="etown-2024-draft", evaluated_at=T0 + timedelta(minutes=self.clock),
        )

    def case(self, parcel: str, holder: str | None, state: str) -> CaseChanged:
        self.clock += 1
        return CaseChanged(case_id=ref("case"), parcel_id=parcel, street="荣华街道", holder_uscc=holder,
                           kind="enforcement", state=state, actor="officer-1", reason="lease ended",
                           at=T0 + timedelta(minutes=self.clock))

    async def records_of(self, subject: str) -> int:
        return int(await self.scalar("SELECT count(*) FROM credit_records WHERE subject_ref = :s", s=subject))

    async def graded_and_applied(self, event: ParcelGraded) -> None:
        await self.publish(event)
        await eventually(lambda: self.scalar("SELECT 1 FROM grades WHERE evaluation_id = :e",
                                             e=event.evaluation_id))


@pytest.fixture
async def world(make_settings: Any, infra: Any) -> AsyncIterator[World]:
    async with running_world(make_settings, infra) as running:
        yield running


@asynccontextmanager
async def running_world(make_settings: Any, infra: Any, **overrides: Any) -> AsyncIterator[World]:
    """A credit ledger of its own (database, consumer groups) with these settings."""
    settings = await make_settings(Settings, MIGRATIONS, anchor_interval_seconds=0.5, **overrides)
    app = build_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap)
    await producer.start()
    try:
        async with serving(app) as client:
            yield World(client, app, producer, infra.bootstrap)
    finally:
        await producer.stop()
