"""The inspector's page, with the console in-process and enforcement answering through a mock
transport: a task reads as enforcement's brief in the reader's language, and every finding type
and holder attitude is offered by its label, its code being the option's value only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.accounts import AccountStore, checked
from console.bootstrap import build_app
from console.i18n import WORDS
from console.pages.inspector import ATTITUDES, FINDING_TYPES
from console.settings import Settings
from landgrade.testing import serving

from .test_sign_in import PASSWORD, sign_in

ENFORCEMENT = "http://enforcement.test"
WHY = {"zh": "税务申报 F-1 显示，企业 91110302MA01A2B3C3 在地块 YZ-1「测试厂房」申报了 2025 年的收入",
       "en": "Tax filing F-1 shows enterprise 91110302MA01A2B3C3 declaring 2025 revenue on parcel YZ-1"}
STREET = {"zh": "荣华街道", "en": "Ronghua Subdistrict"}
REGISTRY_REASON = "filing F-1 names parcel YZ-1, where the enterprise is neither the rights holder nor an approved tenant"


def task(language: str) -> dict[str, Any]:
    return {"task_id": "T-1", "parcel_id": "YZ-1", "street": "荣华街道", "suspected_uscc": "91110302MA01A2B3C3",
            "reason": REGISTRY_REASON, "filing_id": "F-1", "lease_id": None, "year": 2025, "reports": 1,
            "status": "open", "created_at": "2026-03-02T02:00:00+00:00",
            "last_reported_at": "2026-03-02T02:00:00+00:00", "done_at": None, "done_by_inspection_id": None,
            "street_name": STREET[language], "parcel_name": "测试厂房", "parcel_address": "测试路 1 号",
            "holder_uscc": None, "holder_name": None, "why": WHY[language]}


class Enforcement:
    def __init__(self) -> None:
        self.asked: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request)
        if request.url.path != "/v1/inspection-tasks":
            return httpx.Response(404)
        language = "en" if request.headers.get("accept-language") == "en" else "zh"
        return httpx.Response(200, json={"items": [task(language)], "total": 1, "limit": 200, "offset": 0,
                                         "next": None}, headers={"Content-Language": language})


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[tuple[Enforcement, httpx.AsyncClient]]:
    accounts = tmp_path / "accounts.json"
    AccountStore(accounts).put(checked("ronghua", "street-office", PASSWORD, jurisdiction="荣华街道"))
    settings = Settings(environment="test", accounts_file=accounts, registry_url="http://registry.test",
                        evaluation_url="http://evaluation.test", credit_url="http://credit.test",
                        enforcement_url=ENFORCEMENT, clock_at=datetime(2026, 3, 2, 10))
    enforcement, app = Enforcement(), build_app(settings)
    async with serving(app) as client:
        app.state.web.upstream.client = httpx.AsyncClient(transport=httpx.MockTransport(enforcement.handle))
        yield enforcement, client


def options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S)
    assert select is not None, name
    return re.findall(r'<option value="([^"]+)">([^<]*)</option>', select.group(1))


def test_every_code_the_form_offers_has_a_chinese_and_an_english_label() -> None:
    for key in [f"finding.{code}" for code in FINDING_TYPES] + [f"attitude.{code}" for code in ATTITUDES]:
        zh, en = WORDS[key]
        assert re.search(r"[\u4e00-\u9fff]", zh) and en and en != key, key


async def test_a_task_reads_as_enforcements_chinese_brief_and_the_choices_by_their_chinese_labels(
        console: tuple[Enforcement, httpx.AsyncClient]) -> None:
    enforcement, client = console
    await sign_in(client, "ronghua")
    page = (await client.get("/inspector")).text
    assert WHY["zh"] in page and "荣华街道 · 测试路 1 号" in page
    assert REGISTRY_REASON not in page
    assert enforcement.asked[-1].headers["accept-language"] == "zh"
    types, attitudes = options(page, "type"), options(page, "holder_attitude")
    assert [value for value, _ in types] == list(FINDING_TYPES)
    assert [value for value, _ in attitudes] == list(ATTITUDES)
    assert ("unauthorised_lease", "未经允许出租") in types and ("refuses_to_correct", "拒不整改") in attitudes
    for value, label in types + attitudes:
        assert label != value and "_" not in label and re.search(r"[\u4e00-\u9fff]", label), (value, label)

    await client.get("/lang/en?next=/inspector")
    english = (await client.get("/inspector")).text
    assert enforcement.asked[-1].headers["accept-language"] == "en"
    assert WHY["en"] in english and "Ronghua Subdistrict" in english
    assert ("unauthorised_lease", "unauthorised lease") in options(english, "type")
    assert ("undetermined", "not yet known") in options(english, "holder_attitude")
