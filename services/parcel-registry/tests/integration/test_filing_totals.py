"""The totals a chunk of filings announces are summed by PostgreSQL (``parcel_year_totals``);
the parcel's output page sums the stored contributions with ``domain/output.parcel_year``. Both
must give the same figures for every parcel-year, whatever mix of filings made them: holders,
approved tenants, a suspected occupant, splits by area, annual filings superseding quarterly
ones, and corrections moving a filing to another parcel."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from landgrade.testing import serving, token
from landgrade_events.registry import REVENUE
from parcel_registry.adapters.filing_repository import FilingRepository
from parcel_registry.adapters.parcel_year_totals import parcel_year_totals
from parcel_registry.adapters.tables import plumbing
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.domain.output import Totals, parcel_year
from parcel_registry.settings import Settings

pytestmark = pytest.mark.infra

WRITE, TAX = token("parcels:write", "enterprises:write"), token("filings:write")
NDJSON = TAX | {"content-type": "application/x-ndjson"}
YEARS = (2023, 2024)


def filing(fid: str, uscc: str, output: str, tax: str, year: int, **more: Any) -> dict[str, Any]:
    return {"filing_id": fid, "uscc": uscc, "year": year, "output_value": output, "tax_paid": tax} | more


async def test_announced_totals_match_the_output_page_for_every_parcel_year(
    make_settings: Callable[..., Awaitable[Settings]], new_uscc: Callable[[], str]
) -> None:
    # Small chunks: corrections and annual filings land in other transactions than what they change.
    settings = await make_settings(Settings, MIGRATIONS, filing_chunk_size=3)
    app = build_app(settings, run_background=False)  # the outbox is read directly
    holder, other, tenant, squatter = (new_uscc() for _ in range(4))
    run = uuid.uuid4().hex[:6]
    parcels = [f"TOT-{run}-{i}" for i in range(4)]
    async with serving(app) as client:
        for i, pid in enumerate(parcels):
            body = {"name": "Plant", "street": "boxing", "area_m2": str(7000 + 1300 * i), "category": "approved_park",
                    "rights_holder": holder if i < 3 else other}
            assert (await client.put(f"/v1/parcels/{pid}", json=body, headers=WRITE)).status_code == 201
        lease = {"tenant_uscc": tenant, "area_m2": "1500", "start": "2022-01-01", "approved": True,
                 "approval_reference": "A-1", "approval_date": "2021-12-01"}
        assert (await client.put(f"/v1/parcels/{parcels[0]}/leases/L1", json=lease, headers=WRITE)).status_code == 201

        lines = [
            *(filing(f"{run}-h{y}q{q}", holder, f"{1000 * q}.{q}0", f"{q}.05", y, quarter=q) for y in YEARS
              for q in (1, 2, 3)),  # split over the holder's three parcels by area
            *(filing(f"{run}-t{y}q{q}", tenant, "333.33", "3.33", y, quarter=q) for y in YEARS for q in (1, 2)),
            filing(f"{run}-n1", holder, "700.07", "7", 2024, parcel_id=parcels[1], quarter=4),
            filing(f"{run}-o1", other, "12.34", "1", 2024, quarter=1),
            filing(f"{run}-s1", squatter, "999.99", "9", 2024, parcel_id=parcels[3]),
            filing(f"{run}-tY", tenant, "2000.00", "20", 2024),  # annual: the tenant's 2024 quarters stop counting
            filing(f"{run}-n1", holder, "50.00", "0.5", 2024, parcel_id=parcels[3], quarter=4, revision=1),  # moved
            filing(f"{run}-o1", other, "10.00", "1", 2024, revision=1),  # the other holder's quarter becomes annual
            filing(f"{run}-h2023q2", holder, "0", "0", 2023, quarter=2, revision=1),
        ]
        body = "\n".join(json.dumps(line) for line in lines).encode()
        report = (await client.post("/v1/revenue-filings/batch", content=body, headers=NDJSON)).json()
        assert (report["accepted"], report["revised"], report["rejected"]) == (len(lines), 3, 0), report

        async with app.state.context.storage.db.sessions() as session:
            pairs = [(p, y) for p in parcels for y in YEARS]
            summed = await parcel_year_totals(session, pairs)
            by_pair, annual = await FilingRepository(session).parcel_year_shares(pairs)
            payloads = (await session.scalars(select(plumbing.outbox.c.payload)
                                              .where(plumbing.outbox.c.topic == REVENUE)
                                              .order_by(plumbing.outbox.c.id))).all()

        expected = {
            (p, y): parcel_year(p, y, by_pair.get((p, y), []), {u for u, year in annual if year == y}).totals
            for p, y in pairs
        }
        assert {pair: summed.get(pair, Totals()) for pair in pairs} == expected
        assert any(t.filings for t in expected.values()) and annual  # the case is not vacuous

        last: dict[tuple[str, int], dict[str, Any]] = {}
        for payload in payloads:
            data = orjson.loads(payload)["data"]
            last[(data["parcel_id"], data["year"])] = data
        for (parcel_id, year), data in last.items():
            out = (await client.get(f"/v1/parcels/{parcel_id}/output", params={"year": year},
                                    headers=token("registry:read"))).json()
            announced = (Decimal(data["parcel_year_output"]), Decimal(data["parcel_year_tax"]),
                         data["parcel_year_filings"])
            assert announced == (Decimal(out["output_value"]), Decimal(out["tax_paid"]), len(out["filings"]))
            assert data["parcel_year_contributors"] == sorted({f["uscc"] for f in out["filings"]})


async def test_a_filing_corrected_away_leaves_its_filer_out_of_the_parcel_years_contributors(
    make_settings: Callable[..., Awaitable[Settings]], new_uscc: Callable[[], str]
) -> None:
    settings = await make_settings(Settings, MIGRATIONS)
    app = build_app(settings, run_background=False)  # the outbox is read directly
    holder, tenant = new_uscc(), new_uscc()
    run = uuid.uuid4().hex[:6]
    leased, own = f"MOV-{run}-1", f"MOV-{run}-2"
    async with serving(app) as client:
        for pid, rights_holder in ((leased, holder), (own, tenant)):
            body = {"name": "Plant", "street": "boxing", "area_m2": "9000", "category": "approved_park",
                    "rights_holder": rights_holder}
            assert (await client.put(f"/v1/parcels/{pid}", json=body, headers=WRITE)).status_code == 201
        lease = {"tenant_uscc": tenant, "area_m2": "1500", "start": "2022-01-01", "approved": True,
                 "approval_reference": "A-1", "approval_date": "2021-12-01"}
        assert (await client.put(f"/v1/parcels/{leased}/leases/L1", json=lease, headers=WRITE)).status_code == 201
        for line in (filing(f"{run}-h", holder, "900.00", "9", 2024, parcel_id=leased),
                     filing(f"{run}-t", tenant, "100.00", "1", 2024, parcel_id=leased),
                     filing(f"{run}-t", tenant, "100.00", "1", 2024, parcel_id=own, revision=1)):
            assert (await client.post("/v1/revenue-filings", json=line, headers=TAX)).status_code in (200, 201)

        async with app.state.context.storage.db.sessions() as session:
            payloads = (await session.scalars(select(plumbing.outbox.c.payload)
                                              .where(plumbing.outbox.c.key == leased)
                                              .order_by(plumbing.outbox.c.id))).all()
    announced = [orjson.loads(p)["data"] for p in payloads]
    announced = [d for d in announced if "parcel_year_contributors" in d]
    assert [d["parcel_year_contributors"] for d in announced] == [[holder], sorted([holder, tenant]), [holder]]
    moved = announced[-1]  # the correction's zero-amount announcement for the parcel it left
    assert (moved["uscc"], moved["attributed_output"], moved["parcel_year_output"]) == (tenant, "0", "900.00")
