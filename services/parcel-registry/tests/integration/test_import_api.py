"""The bulk parcel import: CSV or XLSX, every row checked, all or nothing."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import httpx
import pytest
from openpyxl import Workbook

from landgrade.testing import token

pytestmark = pytest.mark.infra

WRITE, READ = token("parcels:write", "enterprises:write"), token("registry:read")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_xlsx_with_one_bad_row_writes_nothing_and_names_the_row(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, prefix = new_uscc(), f"X{uuid.uuid4().hex[:6]}"
    rows: list[list[object]] = [["宗地编号", "名称", "街道/镇", "面积(平方米)", "类别", "产权人统一社会信用代码"]]
    rows += [[f"{prefix}-{n}", f"地块{n}", "荣华街道", 10000 + n, "立项园区", holder] for n in range(5)]
    rows[3][3] = -20  # sheet row 4: the header is row 1
    files = {"file": ("parcels.xlsx", xlsx(rows), XLSX)}
    refused = await client.post("/v1/parcels/import", files=files, headers=WRITE)
    assert refused.status_code == 422, refused.text
    assert [(e["sheet"], e["row"], e["column"], e["field"]) for e in refused.json()["errors"]] == [
        ("Sheet", 4, "面积(平方米)", "area_m2")]
    assert (await client.get(f"/v1/parcels/{prefix}-0", headers=READ)).status_code == 404

    rows[3][3] = 10002
    accepted = await client.post("/v1/parcels/import", files={"file": ("p.xlsx", xlsx(rows), XLSX)}, headers=WRITE)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"imported": 5, "created": 5, "updated": 0, "unchanged": 0}
    got = (await client.get(f"/v1/parcels/{prefix}-2", headers=READ)).json()
    assert (got["category"], got["street"], got["area_m2"]) == ("approved_park", "荣华街道", "10002")


async def test_csv_import_updates_and_keeps_flags(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder, pid = new_uscc(), f"C{uuid.uuid4().hex[:8]}"
    flagged = {
        "name": "Old",
        "street": "taihu",
        "area_m2": "500",
        "category": "self_use",
        "rights_holder": holder,
        "flags": [{"kind": "abandoned", "since": "2023-01-01", "source": "inspection:INS-1"}],
    }
    await client.put(f"/v1/parcels/{pid}", json=flagged, headers=WRITE)
    csv = (
        f'parcel_id,name,street,area_m2,category,rights_holder\n{pid},New name,台湖镇,"1,500",self_use,{holder}\n'
        f"{pid}-2,Second,Majuqiao,800,renewal_park,{holder}\n"
    )
    r = await client.post(
        "/v1/parcels/import", content=csv.encode("gb18030"), headers=WRITE | {"content-type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 2, "created": 1, "updated": 1, "unchanged": 0}
    got = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
    assert (got["name"], got["area_m2"], got["flags"][0]["kind"]) == ("New name", "1500", "abandoned")


async def test_csv_problems_are_all_reported(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder = new_uscc()
    csv = f"parcel_id,name,street,area_m2,category,rights_holder,colour\nA1,One,荣华街道,100,self_use,{holder},red\n"
    r = await client.post("/v1/parcels/import", content=csv.encode(), headers=WRITE | {"content-type": "text/csv"})
    assert r.status_code == 422 and r.json()["errors"] == [
        {"sheet": "", "row": 1, "column": "colour", "field": "colour", "message": "无法识别的列"}
    ]
    csv = "parcel_id,name,street,area_m2,category,rights_holder\nA1,One,荣华街道,abc,self_use,XYZ\nA1,Two,Nowhere,1,self_use,{0}\n"
    r = await client.post(
        "/v1/parcels/import", content=csv.format(holder).encode(), headers=WRITE | {"content-type": "text/csv"}
    )
    assert {(e["row"], e["field"]) for e in r.json()["errors"]} == {
        (2, "area_m2"),
        (2, "rights_holder"),
        (3, "street"),
    }
    empty = await client.post("/v1/parcels/import", content=b"", headers=WRITE | {"content-type": "text/csv"})
    assert empty.status_code == 422
