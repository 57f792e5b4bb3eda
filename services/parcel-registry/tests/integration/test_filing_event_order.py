"""Concurrent filings of one enterprise on several parcels: each parcel's announced totals must
follow the order in which they were committed (never go back to a stale total).

Regression: a filing announces the totals of every parcel-year its filer has shares in; two
chunks committing concurrently could write those announcements in the opposite order to their
commits, so evaluation (which keeps the latest totals it receives) regraded parcels on stale
totals — and could keep them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal

import orjson
import pytest
from sqlalchemy import select

from landgrade.testing import serving, token
from landgrade_events.registry import REVENUE
from parcel_registry.adapters.tables import plumbing
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings

pytestmark = pytest.mark.infra

PARCELS, FILINGS_EACH = 6, 10


async def test_announced_totals_never_go_back(make_settings: Callable[..., Awaitable[Settings]],
                                              new_uscc: Callable[[], str]) -> None:
    settings = await make_settings(Settings, MIGRATIONS)
    app = build_app(settings, run_background=False)  # the outbox is read directly, in publishing order
    holder, run = new_uscc(), uuid.uuid4().hex[:8]
    parcels = [f"ORD-{run}-{p}" for p in range(PARCELS)]
    async with serving(app) as client:
        write = token("parcels:write", "enterprises:write")
        for parcel in parcels:
            body = {"name": "Plant", "street": "ronghua", "area_m2": "20000", "category": "self_use",
                    "rights_holder": holder}
            assert (await client.put(f"/v1/parcels/{parcel}", json=body, headers=write)).status_code == 201

        async def file(parcel: str, n: int) -> None:
            body = {"filing_id": f"{parcel}-F{n}", "uscc": holder, "parcel_id": parcel, "year": 2024,
                    "output_value": str(1000 + n), "tax_paid": "10"}
            response = await client.post("/v1/revenue-filings", json=body, headers=token("filings:write"))
            assert response.status_code == 201, response.text

        await asyncio.gather(*(file(p, n) for n in range(FILINGS_EACH) for p in parcels))

        outbox = plumbing.outbox
        async with app.state.context.storage.db.sessions() as session:
            payloads = (await session.scalars(select(outbox.c.payload).where(outbox.c.topic == REVENUE)
                                              .order_by(outbox.c.id))).all()
    totals: dict[str, list[Decimal]] = defaultdict(list)
    for payload in payloads:
        data = orjson.loads(payload)["data"]
        totals[data["parcel_id"]].append(Decimal(data["parcel_year_output"]))
    final = Decimal(sum(1000 + n for n in range(FILINGS_EACH)))
    for parcel in parcels:
        assert totals[parcel] == sorted(totals[parcel]), f"{parcel} announced a stale total: {totals[parcel]}"
        assert totals[parcel][-1] == final
