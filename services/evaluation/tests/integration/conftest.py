"""A running evaluation service on real Kafka and PostgreSQL, and helpers that feed it events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from evaluation.bootstrap import MIGRATIONS, build_app
from evaluation.service_layer.context import EvaluationContext
from evaluation.settings import Settings
from landgrade.testing import eventually, serving, token
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged, Shareholder
from landgrade_reference.uscc import with_check_character
from servicekit.events import CloudEvent, EventData

ADMIN = token("admin")
READ = token("grades:read")
STREET = "荣华街道"


def uscc() -> str:
    """A fresh, valid USCC (evaluation refuses events naming anything else)."""
    return with_check_character("91110000" + uuid.uuid4().hex.upper()[:9])


@dataclass
class Service:
    client: httpx.AsyncClient
    app: FastAPI
    producer: AIOKafkaProducer
    bootstrap: str

    @staticmethod
    def uscc() -> str:
        return uscc()

    @property
    def ctx(self) -> EvaluationContext:
        ctx: EvaluationContext = self.app.state.context
        return ctx

    async def send(self, data: EventData, event_id: str | None = None) -> CloudEvent:
        event = CloudEvent.wrap(data, source="test", event_id=event_id)
        await self.send_envelope(event, data.key())
        return event

    async def send_envelope(self, event: CloudEvent, key: str) -> None:
        await self.producer.send_and_wait(event.type and _topic(event.type), value=event.to_bytes(), key=key.encode())

    async def parcel(
        self, parcel_id: str, holder: str, *, category: str = "self_use", area: str = "10000", **extra: Any
    ) -> CloudEvent:
        return await self.send(
            ParcelChanged(
                parcel_id=parcel_id,
                name=f"宗地 {parcel_id}",
                street=STREET,
                category=category,
                area_m2=Decimal(area),
                holder_uscc=holder,
                **extra,
            )
        )

    async def filing(
        self, parcel_id: str, filer: str, year: int, output: str, tax: str, *, filings: int = 1,
        quarter: int | None = None, year_output: str | None = None, year_tax: str | None = None,
    ) -> CloudEvent:
        """One filing; the parcel-year's totals after it are its own amounts unless given."""
        return await self.send(
            FilingAccepted(
                filing_id=f"F-{uuid.uuid4().hex[:8]}",
                revision=1,
                uscc=filer,
                parcel_id=parcel_id,
                year=year,
                quarter=quarter,
                attributed_output=Decimal(output),
                attributed_tax=Decimal(tax),
                counted=True,
                parcel_year_output=Decimal(year_output or output),
                parcel_year_tax=Decimal(year_tax or tax),
                parcel_year_filings=filings,
            )
        )

    async def finding(
        self,
        parcel_id: str,
        kind: str,
        *,
        tenant: str | None = None,
        attitude: str | None = None,
        at: datetime | None = None,
    ) -> CloudEvent:
        inspection = f"I-{uuid.uuid4().hex[:8]}"
        return await self.send(
            FindingRecorded(
                finding_id=f"{inspection}#1",
                inspection_id=inspection,
                parcel_id=parcel_id,
                street=STREET,
                inspected_at=at or self.ctx.clock(),
                type=kind,
                tenant_uscc=tenant,
                holder_attitude=attitude,
            )
        )

    async def case(self, parcel_id: str, state: str, *, at: datetime | None = None) -> CloudEvent:
        return await self.send(
            CaseChanged(
                case_id=f"C-{parcel_id}",
                parcel_id=parcel_id,
                street=STREET,
                kind="enforcement",
                state=state,
                actor="inspector",
                reason="test",
                at=at or self.ctx.clock(),
            )
        )

    async def enterprise(self, uscc_: str, owners: list[str]) -> CloudEvent:
        return await self.send(
            EnterpriseChanged(
                uscc=uscc_,
                name=f"企业{uscc_[-4:]}",
                status="active",
                shareholders=[Shareholder(kind="enterprise", uscc=o, share=Decimal(1)) for o in owners],
            )
        )

    async def lease(
        self, parcel_id: str, lease_id: str, tenant: str, *, approved: bool, equity_linked: bool = False
    ) -> CloudEvent:
        return await self.send(
            LeaseChanged(
                parcel_id=parcel_id,
                lease_id=lease_id,
                tenant_uscc=tenant,
                area_m2=Decimal(500),
                approved=approved,
                equity_linked=equity_linked,
            )
        )

    async def grade(self, parcel_id: str, year: int | None = None) -> dict[str, Any] | None:
        params = {"year": year} if year else {}
        response = await self.client.get(f"/v1/parcels/{parcel_id}/grade", params=params, headers=READ)
        return response.json() if response.status_code == 200 else None

    async def run_year(self, year: int, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        """Starts a yearly run and returns it once it is a draft."""
        response = await self.client.post("/v1/evaluation-runs", json={"year": year, **body}, headers=headers)
        assert response.status_code == 202, response.text
        run_id = response.json()["id"]

        async def finished() -> dict[str, Any] | None:
            run: dict[str, Any] = (await self.client.get(f"/v1/evaluation-runs/{run_id}", headers=headers)).json()
            return run if run["state"] in ("draft", "failed") else None

        run: dict[str, Any] = await eventually(finished, timeout=120)
        assert run["state"] == "draft", run
        return run

    async def grade_becomes(
        self, parcel_id: str, letter: str, year: int | None = None, timeout: float = 30, output: str | None = None
    ) -> dict[str, Any]:
        """The parcel's grade once it is `letter` (and, with `output`, once it counts that output: a
        registered parcel is graded B at once, before its filings, and B may also be where they
        leave it)."""
        async def check() -> dict[str, Any] | None:
            found = await self.grade(parcel_id, year)
            counted = output is None or (found is not None and found["metrics"].get("output_value") == output)
            return found if found and found["grade"] == letter and counted else None

        result: dict[str, Any] = await eventually(check, timeout=timeout)
        return result


_TOPICS = {
    "landgrade.registry.parcel_changed.v1": "landgrade.registry.parcels.v1",
    "landgrade.registry.lease_changed.v1": "landgrade.registry.parcels.v1",
    "landgrade.registry.enterprise_changed.v1": "landgrade.registry.enterprises.v1",
    "landgrade.registry.filing_accepted.v1": "landgrade.registry.revenue.v1",
    "landgrade.enforcement.finding_recorded.v1": "landgrade.enforcement.findings.v1",
    "landgrade.enforcement.case_changed.v1": "landgrade.enforcement.cases.v1",
}


def _topic(event_type: str) -> str:
    return _TOPICS[event_type]


# The service's "now" (CLOCK_AT, Beijing time), so that no answer changes with the calendar; a test
# module may set its own `CLOCK_AT`.
CLOCK_AT = datetime(2025, 11, 20, 10, 0)


@pytest.fixture
async def service(make_settings, infra, request) -> AsyncIterator[Service]:  # type: ignore[no-untyped-def]
    clock_at = getattr(request.module, "CLOCK_AT", CLOCK_AT)
    settings = await make_settings(Settings, MIGRATIONS, clock_at=clock_at)
    app = build_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap)
    await producer.start()
    try:
        async with serving(app) as client:
            yield Service(client, app, producer, infra.bootstrap)
    finally:
        await producer.stop()
