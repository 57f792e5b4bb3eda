"""The public list (no sign-in): bounded pages, a short shared-cache lifetime, and a request
budget per client address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from credit_ledger.bootstrap import MIGRATIONS, build_app
from credit_ledger.settings import Settings
from landgrade.testing import serving
from servicekit.problems import MEDIA_TYPE

pytestmark = pytest.mark.infra
LIST = "/v1/public/quality-holders"


@pytest.fixture
async def limited(make_settings: Any, infra: Any) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    settings = await make_settings(Settings, MIGRATIONS, public_rate_limit="3/minute")
    app = build_app(settings)
    async with serving(app) as client:
        yield app, client


async def test_the_public_list_is_cacheable_for_at_most_a_minute_and_keeps_its_page_bound(
        limited: tuple[Any, httpx.AsyncClient]) -> None:
    _, client = limited
    answer = await client.get(LIST, params={"limit": 1000})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "public, max-age=60"
    too_big = await client.get(LIST, params={"limit": 1001})
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "limit"


async def test_each_client_address_has_its_own_budget_and_is_told_when_to_return(
        limited: tuple[Any, httpx.AsyncClient]) -> None:
    app, client = limited
    for _ in range(3):
        assert (await client.get(LIST)).status_code == 200
    refused = await client.get(LIST)
    assert refused.status_code == 429 and refused.headers["content-type"] == MEDIA_TYPE
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "\u4e00" <= refused.json()["title"][0] <= "\u9fff"
    # A forwarded-for header is not trusted: the budget is the connection's address.
    assert (await client.get(LIST, headers={"X-Forwarded-For": "203.0.113.9"})).status_code == 429

    other = httpx.ASGITransport(app=app, client=("192.0.2.44", 5000))
    async with httpx.AsyncClient(transport=other, base_url="http://service") as elsewhere:
        assert (await elsewhere.get(LIST)).status_code == 200

    operation = (await client.get("/openapi.json")).json()["paths"][LIST]["get"]
    assert "Retry-After" in operation["responses"]["429"]["headers"]
