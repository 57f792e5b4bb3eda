"""Parcels and leases through the HTTP API and Kafka."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from landgrade.testing import Infra, read_events, token
from landgrade_events.registry import PARCELS

pytestmark = pytest.mark.infra

WRITE, READ = token("parcels:write", "enterprises:write"), token("registry:read")


def parcel(holder: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Optics plant",
        "street": "荣华街道",
        "area_m2": "20000",
        "category": "approved_park",
        "rights_holder": holder,
        "commitments": [{"from_year": 2024, "to_year": 2025, "output_value": "6000000000", "tax": "400000000"}],
        "deadlines": [{"kind": "production_start", "due_on": "2025-06-30"}],
        "flags": [{"kind": "litigation", "since": "2024-05-01", "source": "court:(2024)京0115民初1号"}],
    } | changes


def lease(tenant: str, **changes: Any) -> dict[str, Any]:
    return {"tenant_uscc": tenant, "area_m2": "3000", "start": "2024-01-01", "approved": False} | changes


async def test_register_read_list_and_publish_a_parcel(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra
) -> None:
    holder, pid = new_uscc(), f"YZ-{uuid.uuid4().hex[:8]}"
    created = await client.put(f"/v1/parcels/{pid}", json=parcel(holder), headers=WRITE)
    assert created.status_code == 201, created.text
    view = created.json()
    assert (view["street"], view["street_code"], view["hectares"], view["version"]) == ("荣华街道", "ronghua", "2", 1)
    same = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, street="Ronghua"), headers=WRITE)
    assert same.json()["change"] == "unchanged"
    moved = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, street="boxing"), headers=WRITE)
    assert (moved.status_code, moved.json()["version"]) == (200, 2)

    got = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
    assert got["flags"][0]["kind"] == "litigation" and got["leases"] == []
    for n in range(3):
        await client.put(f"/v1/parcels/{pid}-{n}", json=parcel(holder, category="self_use"), headers=WRITE)
    page = (
        await client.get("/v1/parcels", params={"holder": holder, "category": "self_use", "limit": 2}, headers=READ)
    ).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = (
        await client.get(
            "/v1/parcels", params={"holder": holder, "category": "self_use", "after": page["next_after"]}, headers=READ
        )
    ).json()
    assert [p["parcel_id"] for p in page["items"] + rest["items"]] == [f"{pid}-{n}" for n in range(3)]
    assert (await client.get("/v1/parcels", params={"street": "博兴街道", "holder": holder}, headers=READ)).json()[
        "total"
    ] == 1

    events = await read_events(infra.bootstrap, PARCELS, lambda e: e.subject == pid, count=2)
    assert [e.data["street"] for e in events] == ["荣华街道", "博兴街道"]
    assert [c["year"] for c in events[0].data["commitments"]] == [2024, 2025]
    assert events[0].data["flags"][0]["source"] == "court:(2024)京0115民初1号"


async def test_bad_parcels_are_refused(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder = new_uscc()
    bad_holder = holder[:-1] + ("0" if holder[-1] != "0" else "1")
    cases = [
        (parcel(holder, area_m2="-5"), "area_m2"),
        (parcel(holder, area_m2="0"), "area_m2"),
        (parcel(bad_holder), "rights_holder"),
        (parcel(holder, street="海淀区"), "street"),
        (parcel(holder, category="farm"), "category"),
        (
            parcel(holder, commitments=[{"from_year": 2024, "output_value": "-1", "tax": "0"}]),
            "commitments[0].output_value",
        ),
    ]
    for body, field in cases:
        r = await client.put("/v1/parcels/YZ-BAD", json=body, headers=WRITE)
        assert r.status_code == 422, (field, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, (field, r.json())
    r = await client.put(
        "/v1/parcels/YZ-NUL", content=b'{"name": "a\\u0000"}', headers=WRITE | {"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert (await client.get("/v1/parcels/YZ-BAD", headers=READ)).status_code == 404
    assert (await client.put("/v1/parcels/YZ-BAD", json=parcel(holder), headers=READ)).status_code == 403


async def test_leases_derive_their_equity_link_and_follow_shareholding_changes(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra
) -> None:
    holder, tenant, pid = new_uscc(), new_uscc(), f"YZ-{uuid.uuid4().hex[:8]}"
    await client.put(f"/v1/parcels/{pid}", json=parcel(holder), headers=WRITE)
    assert (await client.put(f"/v1/parcels/NOPE-{pid}/leases/L1", json=lease(tenant), headers=WRITE)).status_code == 404
    unlinked = await client.put(f"/v1/parcels/{pid}/leases/L1", json=lease(tenant), headers=WRITE)
    assert unlinked.status_code == 201, unlinked.text
    assert (unlinked.json()["equity_linked"], unlinked.json()["unauthorised"]) == (False, True)

    subsidiary = {
        "name": "Tenant",
        "shareholders": [{"kind": "enterprise", "name": "Holder", "uscc": holder, "share": "70"}],
    }
    assert (await client.put(f"/v1/enterprises/{tenant}", json=subsidiary, headers=WRITE)).status_code == 201
    now_linked = (await client.get(f"/v1/parcels/{pid}/leases/L1", headers=READ)).json()
    assert (now_linked["equity_linked"], now_linked["version"]) == (True, 2)

    missing_ref = await client.put(f"/v1/parcels/{pid}/leases/L1", json=lease(tenant, approved=True), headers=WRITE)
    assert missing_ref.status_code == 422
    assert {e["field"] for e in missing_ref.json()["errors"]} == {"approval_reference", "approval_date"}
    # Rules weighed against the parcel on file are conflicts with the ledger, not malformed requests.
    too_big = await client.put(f"/v1/parcels/{pid}/leases/L2", json=lease(new_uscc(), area_m2="19000"), headers=WRITE)
    assert too_big.status_code == 409 and too_big.json()["errors"][0]["field"] == "area_m2"
    own = await client.put(f"/v1/parcels/{pid}/leases/L3", json=lease(holder), headers=WRITE)
    assert (own.status_code, own.headers["content-type"]) == (409, "application/problem+json")
    assert [e["field"] for e in own.json()["errors"]] == ["tenant_uscc"]
    assert own.json()["errors"][0]["message"] == "是该地块的土地使用权人，不能向自己出租"
    assert (await client.get(f"/v1/parcels/{pid}/leases/L3", headers=READ)).status_code == 404
    approved = lease(tenant, approved=True, approval_reference="京技管批〔2024〕3号", approval_date="2024-02-01")
    assert (await client.put(f"/v1/parcels/{pid}/leases/L1", json=approved, headers=WRITE)).json()["approved"]

    events = await read_events(
        infra.bootstrap, PARCELS, lambda e: e.subject == pid and e.type.endswith("lease_changed.v1"), count=3
    )
    assert [(e.data["equity_linked"], e.data["approved"]) for e in events] == [
        (False, False),
        (True, False),
        (True, True),
    ]
    # The unapproved lease reported its tenant for the street office to inspect; the approved one did not.
    [suspected] = await read_events(
        infra.bootstrap, PARCELS, lambda e: e.subject == pid and e.type.endswith("suspected_occupant.v1"), count=1
    )
    assert (suspected.data["uscc"], suspected.data["lease_id"], suspected.data["filing_id"]) == (tenant, "L1", "")
    assert suspected.data["reason"].startswith("未经批准的租赁登记") and suspected.data["street"] == "荣华街道"
