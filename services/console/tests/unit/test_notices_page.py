"""The notices page, with the console in-process and the services answering through a mock
transport: an enterprise reads its credit-ledger notices, a street office its street's enforcement
notices, each asked with the reader's own token; Chinese first, English under the switch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from console.accounts import AccountStore, checked
from console.bootstrap import build_app
from console.settings import Settings
from landgrade.testing import serving

from .test_sign_in import PASSWORD, sign_in

HOLDER = "91110302MA01A2B3C3"
CREDIT, ENFORCEMENT = "http://credit.test", "http://enforcement.test"


def notice(subject: str, body: str, **more: Any) -> dict[str, Any]:
    return {"notice_id": subject, "kind": "x", "parcel_id": "YZ-1", "subject": subject, "body": body,
            "respond_by": "2026-03-16", "created_at": "2026-03-02T02:00:00+00:00", "status": "sent",
            "delivered": True, "sent_at": "2026-03-02T02:00:01+00:00", "channel": "email", "attempts": 1,
            "last_error": None} | more


class Services:
    def __init__(self) -> None:
        self.asked: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request)
        if request.url.path != "/v1/notices":
            return httpx.Response(404)
        if str(request.url).startswith(CREDIT):
            return httpx.Response(200, json={"recipient": HOLDER, "next": 7, "items": [
                notice("地块 YZ-1 被评为 D 类（暂定（公示期内））", "发生了什么：……\n期限：请于 2026-03-16 前办理。")]})
        return httpx.Response(200, json={"recipient": "ronghua", "next": None, "items": [
            notice("新的核查任务：地块 YZ-1「测试厂房」", "发生了什么：荣华街道辖区内……\n需要做什么：请派员到现场核查",
                   kind="inspection_task", status="pending", delivered=False, channel=None)]})


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    accounts = tmp_path / "accounts.json"
    store = AccountStore(accounts)
    store.put(checked("acme", "enterprise-portal", PASSWORD, uscc=HOLDER))
    store.put(checked("ronghua", "street-office", PASSWORD, jurisdiction="荣华街道"))
    store.put(checked("clerk", "land-staff", PASSWORD))
    settings = Settings(environment="test", accounts_file=accounts, registry_url="http://registry.test",
                        evaluation_url="http://evaluation.test", credit_url=CREDIT, enforcement_url=ENFORCEMENT,
                        clock_at=datetime(2026, 3, 2, 10))
    services, app = Services(), build_app(settings)
    async with serving(app) as client:
        app.state.web.upstream.client = httpx.AsyncClient(transport=httpx.MockTransport(services.handle))
        yield services, client


def claims(request: httpx.Request) -> dict[str, Any]:
    token = request.headers["authorization"].removeprefix("Bearer ")
    found: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return found


async def test_an_enterprise_reads_its_own_notices_from_the_credit_ledger(
        console: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = console
    await sign_in(client, "acme")
    page = await client.get("/notices")
    assert page.status_code == 200
    assert "通知" in page.text and 'href="/notices"' in page.text  # in the navigation
    assert "地块 YZ-1 被评为 D 类" in page.text and "期限：请于 2026-03-16 前办理。" in page.text
    assert "已送达" in page.text and 'href="/notices?after=7"' in page.text
    [asked] = services.asked
    assert str(asked.url).startswith(f"{CREDIT}/v1/notices") and asked.url.params["recipient"] == HOLDER
    assert claims(asked)["uscc"] == HOLDER  # the enterprise's own token

    await client.get("/lang/en?next=/notices")
    english = await client.get("/notices")
    assert "Notices" in english.text and "delivered" in english.text and "Older notices" in english.text
    assert "地块 YZ-1 被评为 D 类" in english.text  # the notice itself stays as it was written


async def test_a_street_office_reads_its_streets_notices_from_enforcement(
        console: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = console
    await sign_in(client, "ronghua")
    page = await client.get("/notices")
    assert "新的核查任务：地块 YZ-1「测试厂房」" in page.text and "需要做什么：请派员到现场核查" in page.text
    assert "待发送" in page.text and "更早的通知" not in page.text
    [asked] = services.asked
    assert str(asked.url).startswith(f"{ENFORCEMENT}/v1/notices") and asked.url.params["recipient"] == "荣华街道"
    assert claims(asked)["jurisdiction"] == "荣华街道"


async def test_staff_without_an_enterprise_or_street_are_refused(console: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = console
    await sign_in(client, "clerk")
    answer = await client.get("/notices", headers={"accept": "application/json"})
    assert answer.status_code == 403 and answer.json()["type"].endswith("/notices-reader-only")
    assert services.asked == []
