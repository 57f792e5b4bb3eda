"""A consumer that stops making progress is reported by `/readyz`, and recovers.

The evaluation consumer grades under a shared advisory lock (a yearly run takes it exclusively).
Holding that lock from outside blocks the consumer in the middle of a batch, as a stuck handler
would: `/readyz` must answer 503 naming the consumer once it has made no progress for
`consumer_stall_seconds`, and 200 again once the lock is released and the batch commits.
"""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from evaluation.bootstrap import CONSUMER, build_app
from evaluation.service_layer.context import ANY_YEAR, GRADING_LOCK
from landgrade.testing import Infra, eventually, serving
from landgrade_events.registry import FilingAccepted, ParcelChanged
from servicekit.events import CloudEvent, EventData
from tests.reliability.services import fresh_settings
from tests.reliability.world import STREET_A, YEAR, new_uscc, role_headers

pytestmark = [pytest.mark.infra, pytest.mark.reliability]

STALL_SECONDS = 2.0


async def readiness(client: httpx.AsyncClient) -> tuple[int, dict[str, str]]:
    response = await client.get("/readyz")
    return response.status_code, response.json()["checks"]


async def publish(bootstrap: str, *events: EventData) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for data in events:
            await producer.send_and_wait(data.TOPIC, CloudEvent.wrap(data, source="test").to_bytes(),
                                         key=data.key().encode())
    finally:
        await producer.stop()


async def test_a_blocked_consumer_is_reported_and_recovers(infra: Infra, tmp_path: Path) -> None:
    settings = await fresh_settings(infra, "evaluation", tmp_path, consumer_stall_seconds=STALL_SECONDS)
    check = f"consumer:{CONSUMER}"
    holder, parcel = new_uscc(random.Random()), f"STALL-{uuid.uuid4().hex[:8]}"
    async with serving(build_app(settings)) as client:
        await eventually(lambda: _is_ready(client), timeout=60)  # caught up with the session's topics

        engine = create_async_engine(settings.database_url)
        try:
            async with engine.connect() as blocker:
                transaction = await blocker.begin()
                # What a yearly run holds: the parcel's arrival reads its years under it, so waits.
                await blocker.execute(text("SELECT pg_advisory_xact_lock(:lock, :any)"),
                                      {"lock": GRADING_LOCK, "any": ANY_YEAR})
                await publish(infra.bootstrap,
                              ParcelChanged(parcel_id=parcel, name="停滞", street=STREET_A, category="self_use",
                                            area_m2=Decimal(20000), holder_uscc=holder),
                              FilingAccepted(filing_id=f"F-{parcel}", revision=0, uscc=holder, parcel_id=parcel,
                                             year=YEAR, attributed_output=Decimal(1_000_000),
                                             attributed_tax=Decimal(10_000), counted=True,
                                             parcel_year_output=Decimal(1_000_000),
                                             parcel_year_tax=Decimal(10_000), parcel_year_filings=1))

                async def reported() -> dict[str, str] | None:
                    status, checks = await readiness(client)
                    return checks if status == 503 and checks[check].startswith("no progress") else None

                checks = await eventually(reported, timeout=30)
                assert {k: v for k, v in checks.items() if k != check} == {"database": "ok", "kafka": "ok", "topics": "ok"}
                await transaction.rollback()  # the lock goes: the blocked batch can commit now
        finally:
            await engine.dispose()

        await eventually(lambda: _is_ready(client), timeout=30)
        grade = await client.get(f"/v1/parcels/{parcel}/grade", headers=role_headers("admin"))
        assert grade.status_code == 200, grade.text  # the batch that was stuck did commit its effect


async def _is_ready(client: httpx.AsyncClient) -> bool:
    status, _ = await readiness(client)
    return status == 200
