"""Single-filing POSTs sent at once are written together (service_layer/coalescing.py), and each
still gets exactly the answer it would get alone: accepted, a duplicate, a conflict or an
unknown parcel, side by side in the same moment."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import httpx
import pytest

from landgrade.testing import token

pytestmark = pytest.mark.infra

WRITE, READ, TAX = token("parcels:write", "enterprises:write"), token("registry:read"), token("filings:write")


async def test_concurrent_single_filings_each_get_their_own_answer(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder = new_uscc()
    pid = f"P-{uuid.uuid4().hex[:10]}"
    parcel = {"name": "Plant", "street": "ronghua", "area_m2": "10000", "category": "self_use", "rights_holder": holder}
    assert (await client.put(f"/v1/parcels/{pid}", json=parcel, headers=WRITE)).status_code == 201
    run = uuid.uuid4().hex[:8]

    def filing(n: int, output: str = "100.00", parcel_id: str = pid) -> dict[str, object]:
        return {"filing_id": f"TAX-{run}-{n}", "uscc": holder, "parcel_id": parcel_id, "year": 2024,
                "quarter": 1 + n % 4, "output_value": output, "tax_paid": "10.00"}

    bodies = [filing(n) for n in range(30)]
    bodies += [filing(0), filing(1, output="999.00"), filing(99, parcel_id=f"NOPE-{run}")]
    answers = await asyncio.gather(*(client.post("/v1/revenue-filings", json=b, headers=TAX) for b in bodies))
    statuses = [a.status_code for a in answers]

    # Filing 0 sent twice with the same content: one 201, one 200 (either order). Filing 1 sent twice
    # with different content: one of the two wins (201), the other is a conflict (409).
    assert sorted([statuses[0], statuses[30]]) == [200, 201]
    assert sorted([statuses[1], statuses[31]]) == [201, 409]
    assert all(s == 201 for s in statuses[2:30])
    assert statuses[32] == 409 and answers[32].json()["errors"][0]["field"] == "parcel_id"  # not in the ledger (yet)
    for body, answer in zip(bodies[2:30], answers[2:30], strict=True):
        assert answer.json()["filing"]["filing_id"] == body["filing_id"]
        assert answer.json()["attribution"]["shares"][0]["parcel_id"] == pid

    winner = "999.00" if statuses[31] == 201 else "100.00"
    out = (await client.get(f"/v1/parcels/{pid}/output", params={"year": 2024}, headers=READ)).json()
    expected = 29 * 100 + float(winner)
    assert float(out["output_value"]) == expected and len(out["filings"]) == 30
