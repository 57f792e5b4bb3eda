"""Who and why, and transfers as acts: through the HTTP API on a real PostgreSQL and Kafka."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from landgrade.testing import Infra, read_events, token
from landgrade_events.registry import ENTERPRISES, PARCELS

pytestmark = pytest.mark.infra

CLERK = token("parcels:write", subject="clerk-wang")
REGISTRY = token("enterprises:write", subject="business-registry")
READ = token("registry:read")
EN = {"Accept-Language": "en"}


def parcel(holder: str, **changes: Any) -> dict[str, Any]:
    return {"name": "Optics plant", "street": "荣华街道", "area_m2": "20000", "category": "approved_park",
            "rights_holder": holder} | changes


async def test_an_area_change_needs_a_reason_and_the_history_says_who_when_and_why(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, pid = new_uscc(), f"YZ-{uuid.uuid4().hex[:8]}"
    assert (await client.put(f"/v1/parcels/{pid}", json=parcel(holder), headers=CLERK)).status_code == 201
    refused = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, area_m2="18000"), headers=CLERK | EN)
    assert refused.status_code == 409  # the parcel on file makes the reason needed: a conflict
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["reason"]
    assert refused.json()["errors"][0]["message"] == "a reason is required to change area_m2"
    assert (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()["area_m2"] == "20000"

    flagged = parcel(holder, flags=[{"kind": "litigation", "since": "2026-03-01", "source": "court:(2026)京0115民初9号"}])
    assert (await client.put(f"/v1/parcels/{pid}", json=flagged, headers=CLERK)).status_code == 409
    renamed = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, name="Optics plant II"), headers=CLERK)
    assert renamed.status_code == 200  # a name is no reasoned fact
    changed = await client.put(f"/v1/parcels/{pid}", headers=CLERK, json=parcel(
        holder, name="Optics plant II", area_m2="18000", reason="重新测绘：测绘报告 2026-17"))
    assert (changed.status_code, changed.json()["area_m2"]) == (200, "18000")

    page = (await client.get(f"/v1/parcels/{pid}/history", params={"limit": 2}, headers=READ)).json()
    latest, renaming = page["items"]
    assert (latest["kind"], latest["actor"], latest["reason"]) == ("changed", "clerk-wang", "重新测绘：测绘报告 2026-17")
    assert latest["changes"] == {"area_m2": {"from": "20000", "to": "18000"}}
    assert datetime.fromisoformat(latest["recorded_at"]).utcoffset() == timedelta(hours=8)  # Beijing time
    assert renaming["changes"]["name"] == {"from": "Optics plant", "to": "Optics plant II"}
    rest = (await client.get(f"/v1/parcels/{pid}/history", params={"after": page["next"]}, headers=READ)).json()
    assert [e["kind"] for e in rest["items"]] == ["registered"] and rest["next"] is None
    unknown = await client.get(f"/v1/parcels/{pid}-none/history", headers=READ)
    assert unknown.status_code == 404


async def test_a_transfer_dates_the_holder_and_the_event_carries_the_periods(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra
) -> None:
    old, new, pid = new_uscc(), new_uscc(), f"YZ-{uuid.uuid4().hex[:8]}"
    await client.put(f"/v1/parcels/{pid}", json=parcel(old), headers=CLERK)
    act = {"new_holder": new, "effective_on": "2026-03-01", "document_ref": "京(2026)开发区不动产权第0000007号",
           "reason": "土地使用权转让"}
    no_reason = {k: v for k, v in act.items() if k != "reason"}
    assert (await client.post(f"/v1/parcels/{pid}/transfers", json=no_reason, headers=CLERK)).status_code == 422
    moved = await client.post(f"/v1/parcels/{pid}/transfers", json=act, headers=CLERK)
    assert moved.status_code == 201, moved.text
    again = await client.post(f"/v1/parcels/{pid}/transfers", json=act, headers=CLERK)
    assert (again.status_code, again.json()["change"]) == (200, "unchanged")

    def holder_on(day: str) -> Any:
        return client.get(f"/v1/parcels/{pid}", params={"as_of": day}, headers=READ)

    assert (await holder_on("2025-06-30")).json()["rights_holder"] == old
    assert (await holder_on("2026-02-28")).json()["rights_holder"] == old
    assert (await holder_on("2026-03-01")).json()["rights_holder"] == new
    view = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
    assert view["rights_holder"] == new
    assert [(h["uscc"], h["valid_from"], h["valid_to"]) for h in view["holders"]] == [
        (old, None, "2026-03-01"), (new, "2026-03-01", None)]
    backwards = await client.post(f"/v1/parcels/{pid}/transfers", headers=CLERK,
                                  json=act | {"new_holder": old, "effective_on": "2026-02-01"})
    assert backwards.status_code == 409  # well formed; the ledger's current period rules it out
    assert [e["field"] for e in backwards.json()["errors"]] == ["effective_on"]
    ahead = await client.post(f"/v1/parcels/{pid}/transfers", headers=CLERK,
                              json=act | {"new_holder": old, "effective_on": "2099-01-01"})
    assert (ahead.status_code, [e["field"] for e in ahead.json()["errors"]]) == (422, ["effective_on"])

    [entry, _] = (await client.get(f"/v1/parcels/{pid}/history", headers=READ)).json()["items"]
    assert (entry["kind"], entry["effective_on"], entry["reference"]) == ("transfer", "2026-03-01", act["document_ref"])
    assert entry["changes"]["rights_holder"] == {"from": old, "to": new}
    events = await read_events(infra.bootstrap, PARCELS,
                               lambda e: e.subject == pid and e.type.endswith("parcel_changed.v1"), count=2)
    assert events[-1].data["holders"] == [
        {"uscc": old, "valid_from": None, "valid_to": "2026-03-01", "document_ref": ""},
        {"uscc": new, "valid_from": "2026-03-01", "valid_to": None, "document_ref": act["document_ref"]}]


async def test_enterprise_history_names_the_source_system_and_masks_id_numbers(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], new_id_number: Callable[[], str]
) -> None:
    uscc, id_number = new_uscc(), new_id_number()
    body = {"name": "Optics Co.", "responsible_persons": [{"name": "张三", "role": "legal_representative",
                                                           "id_number": id_number}]}
    assert (await client.put(f"/v1/enterprises/{uscc}", json=body, headers=REGISTRY)).status_code == 201
    changed = body | {"status": "revoked", "reference": "工商变更 2026-0042"}
    assert (await client.put(f"/v1/enterprises/{uscc}", json=changed, headers=REGISTRY)).status_code == 200
    for reader in (READ, token("registry:read", "admin")):
        answer = await client.get(f"/v1/enterprises/{uscc}/history", headers=reader)
        assert id_number not in answer.text
    latest, first = (await client.get(f"/v1/enterprises/{uscc}/history", headers=READ)).json()["items"]
    assert (latest["actor"], latest["reference"], latest["changes"]) == (
        "business-registry", "工商变更 2026-0042", {"status": {"from": "active", "to": "revoked"}})
    assert first["kind"] == "registered"
    assert first["changes"]["responsible_persons"]["to"][0]["id_number"].count("*") >= 8


async def test_an_enterprise_batch_sent_twice_has_one_effect(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], new_id_number: Callable[[], str], infra: Infra
) -> None:
    first, second = new_uscc(), new_uscc()
    lines = [
        {"uscc": first, "name": "Optics Co.", "effective_on": "2026-01-15", "reference": "工商变更 2026-0001",
         "responsible_persons": [{"name": "张三", "role": "legal_representative", "id_number": new_id_number()}]},
        {"uscc": second, "name": "Lens Co.", "effective_on": "2026-02-01",
         "shareholders": [{"kind": "enterprise", "name": "Optics Co.", "uscc": first, "share_pct": "60"}]},
        {"uscc": second[:-1] + ("0" if second[-1] != "0" else "1"), "name": "Bad", "effective_on": "2026-02-01"},
        {"uscc": new_uscc(), "name": "No date"},
    ]
    ndjson = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    sent = await client.post("/v1/enterprises/batch", content=ndjson, headers=REGISTRY | {
        "Content-Type": "application/x-ndjson"})
    assert sent.status_code == 200, sent.text
    report = sent.json()
    assert {k: report[k] for k in ("received", "created", "updated", "unchanged", "rejected")} == {
        "received": 4, "created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert [(e["line"], e["reason"].split(":")[0]) for e in report["errors"]] == [(3, "uscc"), (4, "effective_on")]

    again = (await client.post("/v1/enterprises/batch", json=lines, headers=REGISTRY)).json()
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 2, 2)
    history = (await client.get(f"/v1/enterprises/{first}/history", headers=READ)).json()["items"]
    assert [(e["kind"], e["effective_on"], e["reference"]) for e in history] == [
        ("registered", "2026-01-15", "工商变更 2026-0001")]
    events = await read_events(infra.bootstrap, ENTERPRISES, lambda e: e.subject in (first, second), count=2,
                               timeout=10)
    assert sorted(e.subject for e in events) == sorted([first, second])
    # Each event dates the state, so the credit ledger dates the relations it adds or drops.
    assert {e.subject: e.data["effective_on"] for e in events} == {first: "2026-01-15", second: "2026-02-01"}
    got = (await client.get(f"/v1/enterprises/{second}", headers=READ)).json()
    assert got["version"] == 1 and got["shareholders"][0]["uscc"] == first
