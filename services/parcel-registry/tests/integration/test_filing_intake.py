"""`POST /v1/revenue-filings` taken in before routing (entrypoints/http/filing_fast_path.py) answers
exactly as the route does, refusals included, and leaves callers it does not know and other media
types to the route: nothing written twice, no check skipped."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from landgrade.testing import serving, token
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.entrypoints.http.filing_fast_path import FilingFastPath
from parcel_registry.settings import Settings

pytestmark = pytest.mark.infra

WRITE, READ = token("parcels:write", "enterprises:write"), token("registry:read")


@pytest.fixture
async def served(make_settings: Callable[..., Awaitable[Settings]]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = build_app(await make_settings(Settings, MIGRATIONS))
    async with serving(app) as client:
        yield app, client


def _intake(app: FastAPI) -> FilingFastPath:
    node: Any = app.middleware_stack
    while node is not None and not isinstance(node, FilingFastPath):
        node = getattr(node, "app", None)
    assert node is not None, "the intake is not in the application's middleware"
    return node


async def _parcel(client: httpx.AsyncClient, holder: str) -> str:
    pid = f"P-{uuid.uuid4().hex[:10]}"
    parcel = {"name": "Plant", "street": "ronghua", "area_m2": "10000", "category": "self_use", "rights_holder": holder}
    assert (await client.put(f"/v1/parcels/{pid}", json=parcel, headers=WRITE)).status_code == 201
    return pid


def _filing(holder: str, pid: str, n: int, **changes: Any) -> dict[str, Any]:
    return {"filing_id": f"TAX-{pid}-{n}", "uscc": holder, "parcel_id": pid, "year": 2024, "quarter": 1 + n % 4,
            "output_value": "100.50", "tax_paid": "10.00"} | changes


async def test_taken_in_before_routing_with_the_routes_own_answers(
    served: tuple[FastAPI, httpx.AsyncClient], new_uscc: Callable[[], str]
) -> None:
    app, client = served
    tax = token("filings:write", subject="tax-system")
    holder = new_uscc()
    pid = await _parcel(client, holder)

    # The token's first use goes through the route (it must be verified); it is remembered then.
    by_route = await client.post("/v1/revenue-filings", json=_filing(holder, pid, 0), headers=tax)
    assert by_route.status_code == 201 and _intake(app).taken == 0
    by_intake = await client.post("/v1/revenue-filings", json=_filing(holder, pid, 1), headers=tax)
    assert by_intake.status_code == 201 and _intake(app).taken == 1
    # Same shape, same values: only the filing's own fields differ.
    assert by_intake.headers["content-type"] == by_route.headers["content-type"] == "application/json"
    route_body, intake_body = by_route.json(), by_intake.json()
    assert set(route_body) == set(intake_body) == {"status", "filing", "attribution"}
    assert route_body["attribution"] == intake_body["attribution"]
    assert intake_body["filing"] == route_body["filing"] | {"filing_id": f"TAX-{pid}-1", "quarter": 2}
    assert "x-request-id" in by_intake.headers and "traceparent" in by_intake.headers  # observer still outside

    again = await client.post("/v1/revenue-filings", json=_filing(holder, pid, 1), headers=tax)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    revised = await client.post("/v1/revenue-filings", json=_filing(holder, pid, 1, revision=1, output_value="7"),
                                headers=tax)
    assert revised.status_code == 201 and revised.json()["status"] == "revised"
    assert _intake(app).taken == 3

    # The filings are recorded with the caller as sender, exactly once each.
    trail = (await client.get(f"/v1/revenue-filings/TAX-{pid}-1", headers=READ)).json()
    assert [r["revision"] for r in trail["revisions"]] == [0, 1]
    assert {r["received_by"] for r in trail["revisions"]} == {"tax-system"}
    output = (await client.get(f"/v1/parcels/{pid}/output", params={"year": 2024}, headers=READ)).json()
    assert output["output_value"] == "107.50"
    metrics = (await client.get("/metrics")).text
    assert 'route="/v1/revenue-filings",status="201"' in metrics


async def test_refusals_are_answered_before_routing_exactly_as_the_route_answers_them(
    served: tuple[FastAPI, httpx.AsyncClient], new_uscc: Callable[[], str]
) -> None:
    app, client = served
    tax = token("filings:write")
    holder = new_uscc()
    pid = await _parcel(client, holder)
    assert (await client.post("/v1/revenue-filings", json=_filing(holder, pid, 0), headers=tax)).status_code == 201

    refusals: dict[str, dict[str, Any]] = {
        "conflict": {"json": _filing(holder, pid, 0, output_value="1")},
        "unknown": {"json": _filing(holder, f"NOPE-{pid}", 1)},
        "invalid": {"json": _filing(holder, pid, 2, year="last")},
        "negative": {"json": _filing(holder, pid, 3, tax_paid="-1")},
        "not_json": {"content": b"{nope"},
        "not_utf8": {"content": b"M\xafb\xa5"},  # regression: a 500 from the intake
        "empty": {"content": b""},
        "not_an_object": {"content": b"[1, 2]"},
        "extra": {"json": _filing(holder, pid, 4, surprise=1)},
        "surrogate": {"content": json.dumps(_filing(holder, pid, 5)).replace("TAX-", "TAX-\\ud800").encode()},
        "surrogate_key": {"content": json.dumps(_filing(holder, pid, 6, k=1)).replace('"k"', '"k\\udfff"').encode()},
        "other_digits": {"json": _filing(holder, pid, 7, output_value="١٢٣")},
        "negative_zero": {"json": _filing(holder, pid, 8, tax_paid="-0.00")},
        "future_year": {"json": _filing(holder, pid, 9, year=2081)},
    }
    answers: dict[str, httpx.Response] = {}
    english: dict[str, httpx.Response] = {}
    for language, seen in (({}, answers), ({"Accept-Language": "en"}, english)):
        for name, request in refusals.items():
            headers = tax | {"content-type": "application/json"} | language
            taken = _intake(app).taken
            by_route = await client.post("/v1/revenue-filings", params={"via": "route"}, headers=headers, **request)
            assert _intake(app).taken == taken, name  # a query string: the route's to answer
            answer = await client.post("/v1/revenue-filings", headers=headers, **request)
            assert _intake(app).taken == taken + 1, name
            assert answer.status_code == by_route.status_code, name
            assert answer.headers["content-type"] == by_route.headers["content-type"] == "application/problem+json"
            assert answer.json() == by_route.json(), name
            assert answer.headers["content-language"] == by_route.headers["content-language"], name
            seen[name] = answer

    # People read the refusal in Chinese by default, in English when they ask; machines read the same fields.
    assert answers["conflict"].json()["title"] == "申报冲突" and english["conflict"].json()["title"] == "Conflicting filing"
    assert answers["conflict"].json()["errors"][0]["message"].startswith(f"申报 TAX-{pid}-0 修订版 0 已有不同内容的记录")
    assert english["unknown"].json()["errors"][0]["message"] == f"parcel NOPE-{pid} is not in the ledger"
    assert [e["field"] for e in answers["future_year"].json()["errors"]] == ["year"]

    assert answers["conflict"].status_code == 409 and answers["conflict"].json()["errors"][0]["field"] == "revision"
    assert answers["unknown"].status_code == 409 and answers["unknown"].json()["errors"][0]["field"] == "parcel_id"
    assert answers["unknown"].json()["type"] == "https://landgrade.example/problems/unknown-parcel"
    assert answers["invalid"].status_code == 422 and "year" in str(answers["invalid"].json()["errors"])
    assert answers["negative"].status_code == 422 and "tax_paid" in str(answers["negative"].json()["errors"])
    assert all(answers[name].status_code == 422 for name in ("not_json", "empty", "not_an_object", "extra"))
    assert answers["not_utf8"].status_code == 400
    assert [e["field"] for e in answers["surrogate"].json()["errors"]] == ["filing_id"]
    assert english["surrogate_key"].status_code == 422 and "surrogate" in english["surrogate_key"].text
    assert [e["field"] for e in answers["other_digits"].json()["errors"]] == ["output_value"]
    assert [e["field"] for e in answers["negative_zero"].json()["errors"]] == ["tax_paid"]

    # Nothing of the refused filings was written, and filing 0 is on record once, as first sent.
    async with app.state.context.storage.db.sessions() as session:
        rows = (await session.execute(text("SELECT filing_id, revision, output_value FROM revenue_filings "
                                           "WHERE filing_id LIKE :p ORDER BY 1, 2"), {"p": f"TAX-{pid}-%"})).all()
    assert [(r[0], r[1], str(r[2])) for r in rows] == [(f"TAX-{pid}-0", 0, "100.50")]


async def test_callers_and_media_types_it_does_not_know_are_left_to_the_route(
    served: tuple[FastAPI, httpx.AsyncClient], new_uscc: Callable[[], str]
) -> None:
    app, client = served
    tax = token("filings:write")
    holder = new_uscc()
    pid = await _parcel(client, holder)
    assert (await client.post("/v1/revenue-filings", json=_filing(holder, pid, 0), headers=tax)).status_code == 201
    taken = _intake(app).taken

    reader = await client.post("/v1/revenue-filings", json=_filing(holder, pid, 5), headers=READ)
    assert reader.status_code == 403
    expired = await client.post("/v1/revenue-filings", json=_filing(holder, pid, 6), headers=token("filings:write", ttl=-10))
    assert expired.status_code == 401
    # A valid filing sent as text/plain is the route's to judge as well.
    odd = await client.post("/v1/revenue-filings", content=b'{"a": 1}', headers=tax | {"content-type": "text/plain"})
    assert odd.status_code in (415, 422)
    assert _intake(app).taken == taken  # none of these was answered before routing


async def test_a_filing_taken_in_while_the_database_is_down_gets_503_with_retry_after(new_uscc: Callable[[], str]) -> None:
    app = build_app(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", environment="test"),
                    run_background=False)
    tax = token("filings:write")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        holder = new_uscc()
        answers = [await client.post("/v1/revenue-filings", json=_filing(holder, "P-1", n), headers=tax)
                   for n in range(2)]  # the first through the route (token verified), the second taken in here
    for answer in answers:
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
        assert answer.headers["content-type"] == "application/problem+json"
    assert _intake(app).taken == 0
