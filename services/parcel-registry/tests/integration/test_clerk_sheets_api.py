"""The sheets a land office already has go in, as a clerk would send them: a 说明 sheet in front, a
title row above Chinese headers, areas in 亩 and amounts in 万元; a refused sheet comes back
annotated; the template, filled in, imports."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from landgrade.testing import token

pytestmark = pytest.mark.infra

WRITE, READ = token("parcels:write"), token("registry:read")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["序号", "地块编号", "宗地名称", "所属街道", "宗地面积(亩)", "用地类别", "统一社会信用代码", "土地使用权人",
           "承诺年产值(万元)", "承诺年税收(万元)", "承诺起始年度", "备注"]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本表为 2025 年度工业用地台账，面积单位为亩，金额单位为万元。"])
    data = book.create_sheet("台账")
    data.append(["北京经济技术开发区工业用地台账（2025年）"])
    data.append(["填报单位：规划自然资源部门"])
    data.append(HEADERS)
    for row in rows:
        data.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_clerks_workbook_in_mu_and_wan_yuan_imports_in_square_metres_and_yuan(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, prefix = new_uscc(), f"K{uuid.uuid4().hex[:6]}"
    rows: list[list[object]] = [
        [1, f"{prefix}-1", "精密制造基地", "荣华街道", 30, "自用", holder, "北京亦庄精密制造有限公司", 18000, "1,200.5",
         2024, ""],
        [None] * len(HEADERS),  # a blank row between parcels is passed over
        [2, f"{prefix}-2", "光电园", "博兴", "1.5", "立项园区", holder, "北京亦庄精密制造有限公司", None, None, None,
         "新增"],
    ]
    files = {"file": ("台账2025.xlsx", workbook(rows), XLSX)}
    answer = await client.post("/v1/parcels/import", files=files, headers=WRITE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["imported"], body["created"]) == (2, 2)
    assert {c["header"]: (c["from"], c["to"], c["rows"]) for c in body["converted"]} == {
        "宗地面积(亩)": ("亩", "m²", 2), "承诺年产值(万元)": ("万元", "元", 1), "承诺年税收(万元)": ("万元", "元", 1)}

    first = (await client.get(f"/v1/parcels/{prefix}-1", headers=READ)).json()
    assert first["area_m2"] == "20000"  # 30 亩 × 10000/15 m²
    assert first["commitments"] == [{"from_year": 2024, "to_year": None, "output_value": "180000000.00",
                                     "tax": "12005000.00"}]
    second = (await client.get(f"/v1/parcels/{prefix}-2", headers=READ)).json()
    assert (second["area_m2"], second["street"]) == ("1000", "博兴街道")


async def test_a_refused_sheet_comes_back_with_its_bad_cells_marked(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder, prefix = new_uscc(), f"R{uuid.uuid4().hex[:6]}"
    rows: list[list[object]] = [
        [1, f"{prefix}-1", "精密制造基地", "荣华街道", 30, "自用", holder, "", None, None, None, ""],
        [2, f"{prefix}-2", "光电园", "海淀", -2, "立项园区", holder, "", None, None, None, ""],
    ]
    data = workbook(rows)
    refused = await client.post("/v1/parcels/import", content=data, headers=WRITE | {"content-type": XLSX})
    assert refused.status_code == 422
    assert {(e["sheet"], e["row"], e["column"]) for e in refused.json()["errors"]} == {
        ("台账", 5, "所属街道"), ("台账", 5, "宗地面积(亩)")}

    report = await client.post("/v1/parcels/import/report", files={"file": ("台账.xlsx", data, XLSX)}, headers=WRITE)
    assert report.status_code == 200 and report.headers["content-type"] == XLSX
    assert report.headers["x-problems-total"] == "2"
    sheet = load_workbook(io.BytesIO(report.content))["台账"]
    assert sheet.cell(3, len(HEADERS) + 1).value == "错误说明"
    marked = {(c.row, c.column) for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb.endswith("FFC7CE")}
    street, area = HEADERS.index("所属街道") + 1, HEADERS.index("宗地面积(亩)") + 1
    assert marked == {(5, street), (5, area), (5, len(HEADERS) + 1)}
    note = sheet.cell(5, len(HEADERS) + 1).value
    assert note.startswith("所属街道：") and "宗地面积(亩)：面积必须大于 0 平方米" in note
    assert sheet.cell(4, len(HEADERS) + 1).value is None  # the good row has no note
    assert (await client.get(f"/v1/parcels/{prefix}-1", headers=READ)).status_code == 404


async def test_the_template_filled_in_imports(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    answer = await client.get("/v1/parcels/import-template", headers=WRITE)
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    data, notes = book["地块台账"], book["说明"]
    headers = [c.value for c in data[1]]
    assert headers[:2] == ["宗地编号", "宗地名称"] and "用地面积(平方米)" in headers
    explained = {row[0]: row[1:] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert explained["用地类别"][2] == "必填" and explained["承诺年产值(万元)"][1:3] == ("万元", "选填")
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in data.data_validations.dataValidation}
    category, street = headers.index("用地类别"), headers.index("街道/镇")
    assert set(lists) == {f"{'ABCDEFGHIJKLM'[category]}2", f"{'ABCDEFGHIJKLM'[street]}2"}
    streets = [c.value for c in book["代码表"][f"{'ABCDEFGHIJKLM'[street]}"] if c.value]
    assert "荣华街道" in streets and "台湖镇" in streets

    pid = f"T{uuid.uuid4().hex[:6]}"
    example = dict(zip(headers, [row[4] for row in notes.iter_rows(min_row=2, values_only=True)], strict=True))
    filled = example | {"宗地编号": pid, "产权人统一社会信用代码": new_uscc()}
    data.append([filled[h] for h in headers])
    out = io.BytesIO()
    book.save(out)
    imported = await client.post("/v1/parcels/import", files={"file": ("模板.xlsx", out.getvalue(), XLSX)},
                                 headers=WRITE)
    assert imported.status_code == 200, imported.text
    got = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
    assert (got["area_m2"], got["category"], got["commitments"][0]["output_value"]) == (
        "20000", "self_use", "180000000.00")
