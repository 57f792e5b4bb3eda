"""Revenue filings: single and batch, revisions, attribution, occupancy and the yearly output."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from landgrade.testing import Infra, read_events, serving, token
from landgrade_events.registry import PARCELS, REVENUE
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings

pytestmark = pytest.mark.infra

WRITE, READ, TAX = token("parcels:write", "enterprises:write"), token("registry:read"), token("filings:write")
NDJSON = TAX | {"content-type": "application/x-ndjson"}


async def ledger(client: httpx.AsyncClient, holder: str, tenant: str, squatter: str) -> str:
    """A park held by ``holder`` with an approved lease to ``tenant`` and an unauthorised one."""
    pid = f"P-{uuid.uuid4().hex[:10]}"
    body = {
        "name": "Park",
        "street": "ronghua",
        "area_m2": "20000",
        "category": "approved_park",
        "rights_holder": holder,
    }
    assert (await client.put(f"/v1/parcels/{pid}", json=body, headers=WRITE)).status_code == 201
    approved = {
        "tenant_uscc": tenant,
        "area_m2": "3000",
        "start": "2023-01-01",
        "approved": True,
        "approval_reference": "京技管批〔2023〕1号",
        "approval_date": "2022-12-01",
    }
    assert (await client.put(f"/v1/parcels/{pid}/leases/L1", json=approved, headers=WRITE)).status_code == 201
    unauthorised = {"tenant_uscc": squatter, "area_m2": "1000", "start": "2023-01-01"}
    assert (await client.put(f"/v1/parcels/{pid}/leases/L2", json=unauthorised, headers=WRITE)).status_code == 201
    return pid


def filing(fid: str, uscc: str, output: Any, tax: Any = "0", **more: Any) -> dict[str, Any]:
    return {"filing_id": fid, "uscc": uscc, "year": 2024, "output_value": output, "tax_paid": tax} | more


async def test_single_filings_revisions_occupancy_and_output(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra
) -> None:
    holder, tenant, squatter = new_uscc(), new_uscc(), new_uscc()
    pid = await ledger(client, holder, tenant, squatter)
    fid = f"TAX-{uuid.uuid4().hex[:10]}"

    first = await client.post("/v1/revenue-filings", json=filing(fid, holder, "1000.00", "100"), headers=TAX)
    assert first.status_code == 201, first.text
    assert first.json()["attribution"] == {
        "method": "only_parcel",
        "shares": [
            {
                "parcel_id": pid,
                "output_value": "1000.00",
                "tax_paid": "100.00",
                "status": "counted",
                "basis": "rights_holder",
            }
        ],
    }
    again = await client.post("/v1/revenue-filings", json=filing(fid, holder, 1000, "100.0"), headers=TAX)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    clash = await client.post("/v1/revenue-filings", json=filing(fid, holder, "999"), headers=TAX)
    assert clash.status_code == 409 and "请报送修订版 1" in clash.json()["detail"]
    fixed = await client.post("/v1/revenue-filings", json=filing(fid, holder, "1200", "120", revision=1), headers=TAX)
    assert (fixed.status_code, fixed.json()["status"]) == (201, "revised")
    skipped = await client.post("/v1/revenue-filings", json=filing(fid, holder, "1", revision=3), headers=TAX)
    assert skipped.status_code == 409
    trail = (await client.get(f"/v1/revenue-filings/{fid}", headers=READ)).json()
    assert trail["current_revision"] == 1
    assert [(r["revision"], r["output_value"], r["is_current"], r["received_by"]) for r in trail["revisions"]] == [
        (0, "1000.00", False, "test-client"),
        (1, "1200.00", True, "test-client"),
    ]
    assert (await client.get("/v1/revenue-filings/NO-SUCH-FILING", headers=READ)).status_code == 404

    tenant_filing = await client.post(
        "/v1/revenue-filings", json=filing(f"{fid}-T", tenant, "300.50", "30"), headers=TAX
    )
    assert tenant_filing.json()["attribution"]["shares"][0]["basis"] == "approved_tenant"
    squat = await client.post(
        "/v1/revenue-filings", json=filing(f"{fid}-S", squatter, "777", parcel_id=pid), headers=TAX
    )
    assert squat.status_code == 201 and squat.json()["attribution"]["shares"][0]["status"] == "suspected_occupant"

    out = (await client.get(f"/v1/parcels/{pid}/output", params={"year": 2024}, headers=READ)).json()
    assert (out["output_value"], out["tax_paid"], out["has_filing"]) == ("1500.50", "150.00", True)
    assert sorted(f["filing_id"] for f in out["filings"]) == [fid, f"{fid}-T"]
    assert [f["revision"] for f in out["filings"] if f["filing_id"] == fid] == [1]
    assert [f["uscc"] for f in out["suspected_occupants"]] == [squatter]
    assert out["output_per_hectare"] == "750.25"
    empty = (await client.get(f"/v1/parcels/{pid}/output", params={"year": 2023}, headers=READ)).json()
    assert (empty["output_value"], empty["has_filing"]) == ("0.00", False)

    suspects = await read_events(
        infra.bootstrap, PARCELS, lambda e: e.type.endswith("suspected_occupant.v1") and e.subject == pid
    )
    assert suspects[0].data["uscc"] == squatter and suspects[0].data["street"] == "荣华街道"
    accepted = await read_events(infra.bootstrap, REVENUE, lambda e: e.subject == pid, count=4)
    assert [(e.data["filing_id"], e.data["counted"]) for e in accepted][-1] == (f"{fid}-S", False)
    assert accepted[-1].data["parcel_year_output"] == "1500.50" and accepted[-1].data["parcel_year_filings"] == 2


async def test_single_filing_bad_inputs(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder = new_uscc()
    bad = holder[:-1] + ("0" if holder[-1] != "0" else "1")
    cases = [
        (filing("B1", holder, "-1"), "output_value"),
        (filing("B2", holder, "1", "-0.01"), "tax_paid"),
        (filing("B3", holder, "1.001"), "output_value"),
        (filing("B4", bad, "1"), "uscc"),
        (filing("B5", holder, "1", quarter=5), "quarter"),
        (filing("B7", holder, "NaN"), "output_value"),
        (filing("B8", holder, "1", colour="red"), "colour"),
    ]
    for body, field in cases:
        r = await client.post("/v1/revenue-filings", json=body, headers=TAX)
        assert r.status_code == 422, (field, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, (field, r.json())
    # A parcel the ledger does not hold (yet) is an answer about the ledger's data, not the body's shape.
    unknown = await client.post("/v1/revenue-filings", json=filing("B6", holder, "1", parcel_id="NO-SUCH-PARCEL"),
                                headers=TAX)
    assert (unknown.status_code, [e["field"] for e in unknown.json()["errors"]]) == (409, ["parcel_id"])
    assert unknown.json()["type"] == "https://landgrade.example/problems/unknown-parcel"
    nul = await client.post(
        "/v1/revenue-filings", content=b'{"filing_id": "x\\u0000"}', headers=TAX | {"content-type": "application/json"}
    )
    assert nul.status_code == 400
    assert (await client.post("/v1/revenue-filings", json=filing("B9", holder, "1"), headers=WRITE)).status_code == 403


async def test_batch_reports_every_bad_line(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder, tenant, squatter = new_uscc(), new_uscc(), new_uscc()
    await ledger(client, holder, tenant, squatter)
    fid = f"N-{uuid.uuid4().hex[:8]}"
    lines = [
        json.dumps(filing(fid, holder, "100")),
        "{not json",
        json.dumps({"filing_id": f"{fid}-2", "uscc": holder, "year": 2024}),
        json.dumps(filing(f"{fid}-3", holder, "-5")),
        "",
        json.dumps(filing(f"{fid}-4", holder, "5", parcel_id="NOWHERE")),
        json.dumps(filing(fid, holder, "100.00")),
        json.dumps(filing(fid, holder, "101")),
        json.dumps(filing(fid, holder, "102", revision=1)),
        "[1, 2]",
    ]
    r = await client.post("/v1/revenue-filings/batch", content="\n".join(lines).encode(), headers=NDJSON)
    assert r.status_code == 200, r.text
    report = r.json()
    assert {k: report[k] for k in ("received", "accepted", "revised", "duplicate", "rejected")} == {
        "received": 9,
        "accepted": 2,
        "revised": 1,
        "duplicate": 1,
        "rejected": 6,
    }
    assert [(e["line"], e["kind"]) for e in report["errors"]] == [
        (2, "invalid"),
        (3, "invalid"),
        (4, "invalid"),
        (6, "unknown_parcel"),
        (8, "conflict"),
        (10, "invalid"),
    ]
    assert "output_value" in report["errors"][1]["reason"] and "must not be negative" in report["errors"][2]["reason"]

    not_array = await client.post("/v1/revenue-filings/batch", json={"filing_id": "x"}, headers=TAX)
    assert not_array.status_code == 422


async def test_annual_filing_supersedes_quarterly_ones(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder, tenant, squatter = new_uscc(), new_uscc(), new_uscc()
    pid = await ledger(client, holder, tenant, squatter)
    fid = f"Q-{uuid.uuid4().hex[:8]}"
    quarters = [filing(f"{fid}-q{q}", tenant, "100", "10", quarter=q) for q in (1, 2, 3)]
    r = await client.post("/v1/revenue-filings/batch", json=quarters, headers=TAX)
    assert r.json()["accepted"] == 3
    out = (await client.get(f"/v1/parcels/{pid}/output", params={"year": 2024}, headers=READ)).json()
    assert out["output_value"] == "300.00"
    await client.post("/v1/revenue-filings", json=filing(f"{fid}-y", tenant, "450", "45"), headers=TAX)
    out = (await client.get(f"/v1/parcels/{pid}/output", params={"year": 2024}, headers=READ)).json()
    assert (out["output_value"], len(out["superseded"])) == ("450.00", 3)


async def test_ten_thousand_filings_in_one_call_publish_each_event_once(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra
) -> None:
    holders = [new_uscc() for _ in range(100)]
    prefix = f"BULK-{uuid.uuid4().hex[:8]}"
    sheet = "parcel_id,name,street,area_m2,category,rights_holder\n" + "".join(
        f"{prefix}-P{i},Plant {i},boxing,{1000 + i},self_use,{h}\n" for i, h in enumerate(holders)
    )
    imported = await client.post(
        "/v1/parcels/import", content=sheet.encode(), headers=WRITE | {"content-type": "text/csv"}
    )
    assert imported.json()["created"] == 100, imported.text
    lines = [
        json.dumps(filing(f"{prefix}-{i}-{year}-{q}", h, f"{i}{year}.{q}0", "1.5", year=year, quarter=q))
        for i, h in enumerate(holders)
        for year in range(2000, 2025)
        for q in (1, 2, 3, 4)
    ]
    assert len(lines) == 10_000
    body = "\n".join(lines).encode()

    r = await client.post("/v1/revenue-filings/batch", content=body, headers=NDJSON, timeout=300)
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("accepted", "duplicate", "rejected")} == {
        "accepted": 10_000,
        "duplicate": 0,
        "rejected": 0,
    }
    again = await client.post("/v1/revenue-filings/batch", content=body, headers=NDJSON, timeout=300)
    assert {k: again.json()[k] for k in ("accepted", "duplicate", "rejected")} == {
        "accepted": 0,
        "duplicate": 10_000,
        "rejected": 0,
    }

    def ours(e: Any) -> bool:
        return e.type.endswith("filing_accepted.v1") and str(e.data["filing_id"]).startswith(prefix + "-")

    events = await read_events(infra.bootstrap, REVENUE, ours, count=10_000, timeout=90)
    assert len(events) == 10_000
    # Wait a little longer for a duplicate that must never come (the re-sent batch wrote nothing).
    assert len(await read_events(infra.bootstrap, REVENUE, ours, count=10_001, timeout=8)) == 10_000
    assert len({e.id for e in events}) == 10_000
    assert len({e.data["filing_id"] for e in events}) == 10_000
    last = next(e for e in events if e.data["filing_id"] == f"{prefix}-7-2024-4")
    assert (last.data["parcel_id"], last.data["parcel_year_filings"]) == (f"{prefix}-P7", 4)
    out = (await client.get(f"/v1/parcels/{prefix}-P7/output", params={"year": 2024}, headers=READ)).json()
    assert out["output_value"] == "288097.00" and out["tax_paid"] == "6.00"  # 72024.10 + .20 + .30 + .40


async def test_a_batch_takes_at_most_its_limit_and_says_which_lines_to_send_again(
    make_settings: Any, new_uscc: Callable[[], str]
) -> None:
    async with serving(build_app(await make_settings(Settings, MIGRATIONS, max_batch_filings=3))) as client:
        holder, tenant, squatter = new_uscc(), new_uscc(), new_uscc()
        await ledger(client, holder, tenant, squatter)
        fid = f"L-{uuid.uuid4().hex[:8]}"
        lines = [json.dumps(filing(f"{fid}-{n}", holder, "10")) for n in range(5)]
        report = (await client.post("/v1/revenue-filings/batch", content="\n\n".join(lines).encode(),
                                    headers=NDJSON)).json()
        assert (report["accepted"], report["rejected"]) == (3, 2)
        assert [(e["line"], e["kind"]) for e in report["errors"]] == [(7, "over_limit"), (9, "over_limit")]
        assert "more than 3 filings" in report["errors"][0]["reason"]
        assert (await client.get(f"/v1/revenue-filings/{fid}-3", headers=READ)).status_code == 404
        resent = (await client.post("/v1/revenue-filings/batch", content="\n".join(lines[3:]).encode(),
                                    headers=NDJSON)).json()
        assert (resent["accepted"], resent["rejected"]) == (2, 0)
