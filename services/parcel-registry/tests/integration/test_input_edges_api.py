"""Input edges of every registry write: lone surrogates, digits of other scripts, negative zero,
and USCCs in every printed form (read by `parse_uscc`, in paths, queries and bodies alike)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from landgrade.testing import token

pytestmark = pytest.mark.infra

WRITE, READ, TAX = token("parcels:write", "enterprises:write"), token("registry:read"), token("filings:write")
JSON = {"content-type": "application/json"}
SURROGATE = "\\ud800"  # as a JSON escape: the body's bytes are plain ASCII


def raw(document: dict[str, Any], **surrogate_at: str) -> bytes:
    """The document as JSON with a lone surrogate spliced into the named string fields."""
    text = json.dumps(document)
    for marker in surrogate_at.values():
        text = text.replace(marker, marker + SURROGATE)
    return text.encode()


def parcel(holder: str, **more: Any) -> dict[str, Any]:
    return {"name": "Plant", "street": "ronghua", "area_m2": "10000", "category": "self_use",
            "rights_holder": holder} | more


def fields(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in answer.json()["errors"]]


async def test_a_lone_surrogate_in_any_write_is_a_422_naming_the_field(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], new_id_number: Callable[[], str]
) -> None:
    holder, pid = new_uscc(), f"S-{uuid.uuid4().hex[:8]}"
    put = await client.put(f"/v1/parcels/{pid}", content=raw(parcel(holder, name="Plant-N"), a="Plant-N"),
                           headers=WRITE | JSON)
    assert fields(put) == ["name"]
    geometry = {"type": "Polygon", "coordinates": [[[116.5, 39.8], [116.6, 39.8], [116.6, 39.9], [116.5, 39.8]]],
                "properties": {"label": "G-1"}}
    put = await client.put(f"/v1/parcels/{pid}", content=raw(parcel(holder, geometry=geometry), a="G-1"),
                           headers=WRITE | JSON)
    assert fields(put) == ["geometry"]
    put = await client.put(f"/v1/parcels/{pid}", content=raw(parcel(holder, extra_key=1), a="extra_key"),
                           headers=WRITE | JSON | {"Accept-Language": "en"})
    assert put.status_code == 422 and "surrogate" in put.text
    assert (await client.put(f"/v1/parcels/{pid}", json=parcel(holder), headers=WRITE)).status_code == 201

    lease = {"tenant_uscc": new_uscc(), "area_m2": "100", "start": "2024-01-01", "approved": True,
             "approval_reference": "REF-1", "approval_date": "2023-12-01"}
    put = await client.put(f"/v1/parcels/{pid}/leases/L1", content=raw(lease, a="REF-1"), headers=WRITE | JSON)
    assert fields(put) == ["approval_reference"]

    enterprise = {"name": "Co-1", "responsible_persons": [{"name": "Wang-1", "role": "legal_representative",
                                                             "id_number": new_id_number()}]}
    put = await client.put(f"/v1/enterprises/{holder}", content=raw(enterprise, a="Wang-1"), headers=WRITE | JSON)
    assert fields(put) == ["responsible_persons[0].name"]

    filing = {"filing_id": "F-1", "uscc": holder, "parcel_id": pid, "year": 2024, "output_value": "1",
              "tax_paid": "1"}
    for request in ({"params": {"via": "route"}}, {}):  # the route, and the intake before routing
        post = await client.post("/v1/revenue-filings", content=raw(filing, a="F-1"), headers=TAX | JSON, **request)
        assert fields(post) == ["filing_id"]


async def test_in_a_batch_only_the_item_with_a_lone_surrogate_is_refused(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, tag = new_uscc(), uuid.uuid4().hex[:8]

    def line(n: int) -> dict[str, Any]:
        return {"filing_id": f"B-{tag}-{n}", "uscc": holder, "year": 2024, "output_value": "1", "tax_paid": "1"}

    ndjson = b"\n".join([json.dumps(line(0)).encode(), raw(line(1), a=f"B-{tag}-1"),
                         raw(line(2) | {"k": 1}, a='"k'), json.dumps(line(3)).encode()])
    for body, kind in ((ndjson, "application/x-ndjson"), (b"[" + ndjson.replace(b"\n", b",") + b"]", "application/json")):
        answer = await client.post("/v1/revenue-filings/batch", content=body, headers=TAX | {"content-type": kind})
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["accepted"] + report["duplicate"] == 2 and report["rejected"] == 2
        assert [e["line"] for e in report["errors"]] == [2, 3]
        assert report["errors"][0]["reason"].startswith("filing_id: contains a lone surrogate")
        assert "surrogate" in report["errors"][1]["reason"]


async def test_money_digits_follow_one_rule_in_bodies_and_batch_lines(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, pid = new_uscc(), f"M-{uuid.uuid4().hex[:8]}"
    commitment = {"from_year": 2024, "output_value": "１００００００．００", "tax": "５００"}
    put = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, area_m2="１２３４５．５", commitments=[commitment]),
                           headers=WRITE)
    assert put.status_code == 201, put.text
    assert put.json()["area_m2"] == "12345.5"
    for area in ("١٢٣", "-0.00", "１²"):
        assert fields(await client.put(f"/v1/parcels/{pid}", json=parcel(holder, area_m2=area), headers=WRITE)) \
            == ["area_m2"]
    bad_commitment = commitment | {"tax": "-0.00"}
    refused = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, commitments=[bad_commitment]), headers=WRITE)
    assert refused.status_code == 422 and "tax" in fields(refused)[0] and "不能为负零（-0）" in refused.text

    filing = {"filing_id": f"M-{pid}", "uscc": holder, "year": 2024, "output_value": "１２３.４５", "tax_paid": "0"}
    accepted = await client.post("/v1/revenue-filings", json=filing, headers=TAX)
    assert accepted.status_code == 201 and accepted.json()["filing"]["output_value"] == "123.45"
    lines = [filing | {"filing_id": f"M2-{pid}", "tax_paid": "١٢٣"}, filing | {"filing_id": f"M3-{pid}",
                                                                               "output_value": "-0.00"}]
    report = (await client.post("/v1/revenue-filings/batch", content="\n".join(json.dumps(x) for x in lines),
                                headers=TAX | {"content-type": "application/x-ndjson"})).json()
    assert report["rejected"] == 2
    assert [e["reason"].split(":")[0] for e in report["errors"]] == ["tax_paid", "output_value"]


async def test_usccs_in_any_printed_form_in_path_query_and_body(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, pid = new_uscc(), f"U-{uuid.uuid4().hex[:8]}"
    full_width = holder.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    spaced = f"{holder[:4]} {holder[4:10]} {holder[10:]}"
    wrong = holder[:17] + ("0" if holder[17] != "0" else "1")

    assert (await client.put(f"/v1/parcels/{pid}", json=parcel(full_width), headers=WRITE)).status_code == 201
    assert (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()["rights_holder"] == holder
    assert fields(await client.put(f"/v1/parcels/{pid}", json=parcel(wrong), headers=WRITE)) == ["rights_holder"]
    assert (await client.put(f"/v1/enterprises/{spaced.lower()}", json={"name": "Co"}, headers=WRITE)).status_code == 201

    for written in (holder.lower(), spaced, full_width):  # path
        found = await client.get(f"/v1/enterprises/{written}", headers=READ)
        assert found.status_code == 200 and found.json()["uscc"] == holder, written
        page = await client.get("/v1/parcels", params={"holder": written}, headers=READ)  # query
        assert [p["parcel_id"] for p in page.json()["items"]] == [pid], written

    refused = await client.get(f"/v1/enterprises/{wrong}", headers=READ)
    assert refused.status_code == 422 and refused.json()["errors"][0]["in"] == "path"
    assert refused.json()["type"] == "https://landgrade.example/problems/invalid-uscc"
    refused = await client.get("/v1/parcels", params={"holder": wrong}, headers=READ)
    assert refused.status_code == 422 and refused.json()["errors"] == [
        {"field": "holder", "in": "query", "message": refused.json()["detail"]}]

    for path, kind in ((f"/v1/enterprises/{new_uscc()}", "enterprise"), (f"/v1/parcels/NO-{pid}", "parcel"),
                       (f"/v1/parcels/{pid}/leases/NOPE", "lease")):
        missing = await client.get(path, headers=READ)
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["type"] == f"https://landgrade.example/problems/unknown-{kind}", path
