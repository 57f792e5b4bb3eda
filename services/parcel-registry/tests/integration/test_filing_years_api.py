"""Years are guarded where they are graded: a filing for a year after the current one (Beijing
time, the service's clock) is refused naming the field and the allowed range; earlier years are
kept as history."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest

from landgrade.testing import serving, token
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings
from servicekit.clock import BEIJING

pytestmark = pytest.mark.infra

WRITE, TAX = token("parcels:write"), token("filings:write")


async def test_a_filing_after_the_current_beijing_year_is_refused_and_history_is_kept(
    make_settings: Callable[..., Awaitable[Settings]], new_uscc: Callable[[], str]
) -> None:
    # 07:00 on New Year's Day in Beijing, still 2025 in UTC: the year is 2026 in E-Town.
    settings = await make_settings(Settings, MIGRATIONS, clock_at=datetime(2026, 1, 1, 7, tzinfo=BEIJING))
    holder, pid = new_uscc(), f"Y-{uuid.uuid4().hex[:8]}"
    parcel = {"name": "Plant", "street": "荣华街道", "area_m2": "10000", "category": "self_use", "rights_holder": holder}

    def filing(n: int, year: int) -> dict[str, object]:
        return {"filing_id": f"TAX-{pid}-{n}", "uscc": holder, "parcel_id": pid, "year": year,
                "output_value": "100", "tax_paid": "10"}

    async with serving(build_app(settings)) as client:
        assert (await client.put(f"/v1/parcels/{pid}", json=parcel, headers=WRITE)).status_code == 201
        for route in ({"params": {"via": "route"}}, {}):  # the route, and the intake before routing
            refused = await client.post("/v1/revenue-filings", json=filing(1, 2081), headers=TAX, **route)
            assert refused.status_code == 422, refused.text
            [error] = refused.json()["errors"]
            assert (error["field"], error["message"]) == ("year", "不能晚于当前年度：允许 1949 至 2026 年")
            english = await client.post("/v1/revenue-filings", json=filing(1, 2027), **route,
                                        headers=TAX | {"Accept-Language": "en"})
            assert english.json()["errors"][0]["message"] == "must not be after the current year: allowed 1949 to 2026"

        for n, year in enumerate((2026, 2019, 1990), start=2):  # this year and history before any ruleset
            kept = await client.post("/v1/revenue-filings", json=filing(n, year), headers=TAX)
            assert kept.status_code == 201, kept.text

        batch = await client.post("/v1/revenue-filings/batch", json=[filing(9, 2024), filing(10, 2081)], headers=TAX)
        report = batch.json()
        assert (report["accepted"], report["rejected"]) == (1, 1)
        assert report["errors"][0]["reason"] == "year: must not be after the current year: allowed 1949 to 2026"
        assert (await client.get(f"/v1/revenue-filings/TAX-{pid}-10", headers=token("registry:read"))
                ).status_code == 404
