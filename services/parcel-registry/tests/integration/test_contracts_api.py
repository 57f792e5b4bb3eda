"""The registry's contract says what it accepts: patterns and bounds in the schema, every bad field
of a body in one answer, and shareholdings in percent under `share_pct` (`share` still read)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from landgrade.testing import token

pytestmark = pytest.mark.infra

WRITE, READ = token("parcels:write", "enterprises:write"), token("registry:read")
DOCUMENT = Path(__file__).resolve().parents[4] / "contracts" / "openapi" / "parcel-registry.json"


async def test_a_body_with_several_bad_fields_is_answered_with_all_of_them(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder = new_uscc()
    bad_check = holder[:-1] + ("0" if holder[-1] != "0" else "1")
    body = {"name": "Plant", "street": "海淀", "area_m2": "abc", "category": "self_use", "rights_holder": bad_check}
    answer = await client.put(f"/v1/parcels/B-{uuid.uuid4().hex[:8]}", json=body, headers=WRITE)
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"street", "area_m2", "rights_holder"}
    body |= {"street": "荣华街道", "area_m2": "-5", "category": "farm"}
    answer = await client.put(f"/v1/parcels/B-{uuid.uuid4().hex[:8]}", json=body, headers=WRITE)
    assert {e["field"] for e in answer.json()["errors"]} == {"area_m2", "category", "rights_holder"}


async def test_shares_are_percent_under_share_pct_and_the_old_name_still_reads(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    company, parent, other = new_uscc(), new_uscc(), new_uscc()

    def holder(**share: str) -> dict[str, object]:
        return {"name": "北京亦庄精密制造有限公司", "shareholders": [
            {"kind": "enterprise", "uscc": parent, "name": "北京亦庄控股有限公司", **share}]}

    put = await client.put(f"/v1/enterprises/{company}", json=holder(share_pct="60"), headers=WRITE)
    assert put.status_code == 201, put.text
    got = (await client.get(f"/v1/enterprises/{company}", headers=READ)).json()["shareholders"][0]
    assert (got["share_pct"], got["share"]) == ("60", "60")
    legacy = await client.put(f"/v1/enterprises/{company}", json=holder(share="60"), headers=WRITE)
    assert legacy.json()["change"] == "unchanged"  # `share` is the same percent

    too_much = "shareholders"  # and the shares add up to more than 100 %
    for share, fields in (({"share_pct": "120"}, ["shareholders[0].share_pct", too_much]),
                          ({"share": "120"}, ["shareholders[0].share", too_much]),
                          ({}, ["shareholders.0"]), ({"share": "50", "share_pct": "60"}, ["shareholders.0"])):
        refused = await client.put(f"/v1/enterprises/{other}", json=holder(**share), headers=WRITE)
        assert refused.status_code == 422, share
        assert [e["field"] for e in refused.json()["errors"]] == fields, share


def test_the_document_states_the_keys_forms_and_the_import_body() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    uscc = next(p for p in document["paths"]["/v1/enterprises/{uscc}"]["get"]["parameters"] if p["name"] == "uscc")
    assert uscc["schema"]["pattern"] == r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
    assert uscc["schema"]["format"] == "uscc"
    parcel = document["components"]["schemas"]["ParcelIn"]["properties"]
    assert parcel["rights_holder"]["format"] == "uscc"
    whole, text = parcel["area_m2"]["anyOf"]  # a whole number above 0, or a decimal string that is
    assert whole["exclusiveMinimum"] == 0
    assert re.fullmatch(text["pattern"], "12.5") and not re.fullmatch(text["pattern"], "0")
    share = document["components"]["schemas"]["ShareholderIn"]["properties"]
    assert share["share"]["deprecated"] is True and share["share_pct"]["anyOf"][0]["maximum"] == 100
    body = document["paths"]["/v1/parcels/import"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "text/csv",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert "宗地编号" in document["paths"]["/v1/parcels/import"]["post"]["description"]
