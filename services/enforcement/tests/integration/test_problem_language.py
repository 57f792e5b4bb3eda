"""Refusals in Chinese by default and in English under Accept-Language: en; the `type` and the
field names stay the same in both."""

from __future__ import annotations

import pytest

from landgrade.testing import token

from .test_inspections import BOXING, RONGHUA, inspection

pytestmark = pytest.mark.infra


async def test_another_streets_parcel_is_refused_in_chinese_by_default_and_in_english_on_request(
        enforcement) -> None:
    parcel = await enforcement.parcel(street="荣华街道")
    body = inspection(parcel)
    zh = await enforcement.client.post("/v1/inspections", json=body, headers=BOXING)
    en = await enforcement.client.post("/v1/inspections", json=body, headers=BOXING | {"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 403
    assert zh.json()["type"] == en.json()["type"] == "https://landgrade.example/problems/outside-jurisdiction"
    assert (zh.json()["title"], en.json()["title"]) == ("超出辖区", "Outside your jurisdiction")
    assert zh.json()["detail"] == f"地块 {parcel} 不在 博兴街道 辖区内"
    assert en.json()["detail"] == f"parcel {parcel} is not in the jurisdiction '博兴街道'"


async def test_a_rule_the_inspection_breaks_names_its_field_in_both_languages(enforcement) -> None:
    parcel = await enforcement.parcel()
    body = inspection(parcel, findings=[{"type": "unauthorised_lease"}])
    zh = (await enforcement.client.post("/v1/inspections", json=body, headers=RONGHUA)).json()
    en = (await enforcement.client.post("/v1/inspections", json=body,
                                        headers=RONGHUA | {"Accept-Language": "en"})).json()
    assert (zh["title"], en["title"]) == ("请求参数有误", "Invalid request")
    assert [e["field"] for e in zh["errors"]] == [e["field"] for e in en["errors"]] == ["findings[0].tenant_uscc"]
    assert zh["errors"][0]["message"] == "未经批准出租须填写承租企业的统一社会信用代码"
    assert en["errors"][0]["message"] == "required for an unauthorised_lease finding"
    unbound = await enforcement.client.get("/v1/inspection-tasks", headers=token("findings:write"))
    assert unbound.status_code == 403 and unbound.json()["title"] == "须绑定辖区"
