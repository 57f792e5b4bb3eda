"""Refusals in Chinese by default and in English under Accept-Language: en; the `type` and the
field names stay the same in both."""

from __future__ import annotations

import pytest

from landgrade.testing import token

from .conftest import World, uscc

pytestmark = pytest.mark.infra
READER = token("credit:read")


async def test_an_unknown_enterprise_is_refused_in_chinese_by_default_and_in_english_on_request(
        world: World) -> None:
    stranger = uscc()
    zh = await world.client.get(f"/v1/benefits/{stranger}", headers=READER)
    en = await world.client.get(f"/v1/benefits/{stranger}", headers=READER | {"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 404
    assert zh.json()["type"] == en.json()["type"] == "https://landgrade.example/problems/unknown-enterprise"
    assert (zh.json()["title"], en.json()["title"]) == ("未知企业", "Unknown enterprise")
    assert "不表示该企业不受限制" in zh.json()["detail"] and "not a clearance" in en.json()["detail"]
    assert zh.headers["content-language"] == "zh" and en.headers["content-language"] == "en"


async def test_a_malformed_uscc_names_the_field_in_both_languages(world: World) -> None:
    bad = "91110302MA01A2B3C0"
    zh = (await world.client.get(f"/v1/benefits/{bad}", headers=READER)).json()
    en = (await world.client.get(f"/v1/benefits/{bad}", headers=READER | {"Accept-Language": "en"})).json()
    assert zh["title"] == "统一社会信用代码无效" and en["title"] == "Invalid USCC"
    assert [e["field"] for e in zh["errors"]] == [e["field"] for e in en["errors"]] == ["uscc"]
    assert zh["errors"][0]["message"].startswith("不是有效的统一社会信用代码")
    assert en["errors"][0]["message"].startswith("not a valid USCC")
