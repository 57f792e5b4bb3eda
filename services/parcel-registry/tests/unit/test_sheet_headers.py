"""The headers clerks' sheets carry: aliases, units read from the header and converted exactly,
the header row found under title rows, and notes sheets passed over."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from landgrade_reference.uscc import with_check_character
from parcel_registry.adapters.spreadsheets import read_sheet
from parcel_registry.domain.importing import validate_rows
from parcel_registry.domain.sheet_headers import ALIASES, read_header

HOLDER = with_check_character("91110115MA0000001")


def test_variants_of_the_same_header_mean_the_same_column() -> None:
    for label in ("宗地编号", "地块编号", " 宗地编号 ", "PARCEL_ID"):
        assert read_header(label).column == "parcel_id", label
    for label in ("用地面积", "宗地面积", "面积（平方米）", "面积(㎡)", "面积(m²)", "面积(亩)", "面积(公顷)"):
        assert read_header(label).column == "area_m2", label
    assert read_header("权利人名称").column == read_header("土地使用权人").column == "rights_holder_name"
    assert read_header("备注").ignored and read_header("序号").ignored
    assert read_header("颜色").problem == ("无法识别的列", "unknown column")
    assert read_header("面积(英亩)").problem is not None


def test_units_are_converted_exactly_and_mu_rounded_half_up_to_two_places() -> None:
    assert read_header("面积(亩)").convert(Decimal("1")) == Decimal("666.67")  # 10000/15 = 666.666…
    assert read_header("面积(亩)").convert(Decimal("3")) == Decimal("2000.00")
    assert read_header("面积(亩)").convert(Decimal("0.00075")) == Decimal("0.50")  # 0.5 exactly, half up
    assert read_header("面积(公顷)").convert(Decimal("1.2345")) == Decimal("12345")
    assert read_header("承诺年产值(万元)").convert(Decimal("1.23")) == Decimal("12300")
    assert read_header("承诺年税收(亿元)").convert(Decimal("0.5")) == Decimal("50000000")


def test_a_sheet_in_mu_and_wan_yuan_is_read_in_square_metres_and_yuan() -> None:
    headers = ["地块编号", "宗地名称", "街道", "宗地面积(亩)", "用地类别", "统一社会信用代码", "承诺年产值(万元)",
               "承诺年税收(万元)", "承诺起始年度", "备注"]
    cells = ["YZ-1", "园区", "荣华街道", "15", "自用", HOLDER, "12,000.5", "800", "2024", "无"]
    result = validate_rows(headers, [(5, dict(zip(headers, cells, strict=True)))], header_row=4, sheet="台账")
    assert result.ok, result.errors
    parcel = result.parcels[0]
    assert parcel.area_m2 == Decimal("10000.00")
    commitment = parcel.contract_terms.commitments[0]
    assert (commitment.output_value, commitment.tax) == (Decimal("120005000.0"), Decimal("8000000"))
    assert [c.view() for c in result.converted] == [
        {"column": "area_m2", "header": "宗地面积(亩)", "from": "亩", "to": "m²", "rows": 1},
        {"column": "committed_output_value", "header": "承诺年产值(万元)", "from": "万元", "to": "元", "rows": 1},
        {"column": "committed_tax", "header": "承诺年税收(万元)", "from": "万元", "to": "元", "rows": 1},
    ]


def test_a_problem_names_the_sheet_the_excel_row_and_the_clerks_own_header() -> None:
    headers = ["地块编号", "宗地名称", "街道", "宗地面积(公顷)", "用地类别", "统一社会信用代码"]
    cells = ["YZ-1", "园区", "荣华街道", "-1", "自用", HOLDER]
    result = validate_rows(headers, [(7, dict(zip(headers, cells, strict=True)))], header_row=6, sheet="台账")
    [error] = result.errors
    assert (error.sheet, error.row, error.header, error.column) == ("台账", 7, "宗地面积(公顷)", "area_m2")
    assert error.message == ("面积必须大于 0 平方米", "must be greater than 0 m²")


def test_a_missing_column_is_named_in_the_clerks_words() -> None:
    result = validate_rows(["宗地编号", "名称"], [], header_row=3)
    missing = {e.column: e for e in result.errors}
    assert set(missing) == {"street", "area_m2", "category", "rights_holder"}
    assert missing["area_m2"].row == 3 and "用地面积" in missing["area_m2"].message[0]


def _book() -> bytes:
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["列", "含义"])
    notes.append(["宗地编号", "台账中的地块编号"])
    data = book.create_sheet("2025年台账")
    data.append(["北京经济技术开发区工业用地台账"])
    data.append([])
    data.append(["宗地编号", "宗地名称", "街道", "面积(亩)", "类别", "统一社会信用代码"])
    data.append(["YZ-1", "园区", "荣华街道", 3, "自用", HOLDER])
    data.append([None] * 6)
    data.append(["YZ-2", "园区二", "博兴街道", 1.5, "自用", HOLDER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_data_sheet_and_its_header_are_found_under_titles_and_past_notes() -> None:
    sheet = read_sheet(_book(), max_rows=100, max_bytes=10**6)
    assert (sheet.name, sheet.header_row, sheet.headers[0]) == ("2025年台账", 3, "宗地编号")
    result = validate_rows(sheet.headers, sheet.rows, header_row=sheet.header_row, sheet=sheet.name)
    assert result.ok and result.rows == 2
    assert [(p.parcel_id, p.area_m2) for p in result.parcels] == [("YZ-1", Decimal("2000.00")),
                                                                    ("YZ-2", Decimal("1000.00"))]


def test_a_csv_with_a_title_row_is_read_from_its_header() -> None:
    text = f"工业用地台账,,,,,\n宗地编号,名称,街道,面积,类别,统一社会信用代码\nYZ-1,园区,荣华街道,100,自用,{HOLDER}\n"
    sheet = read_sheet(text.encode("gb18030"), max_rows=100, max_bytes=10**6)
    assert sheet.header_row == 2 and [n for n, _ in sheet.rows] == [3]


def test_the_clerks_guide_lists_every_header_the_import_reads() -> None:
    guide = (Path(__file__).resolve().parents[4] / "docs" / "imports.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line.split("|")[3] for line in guide.splitlines()
            if line.startswith("| `") and line.split("|")[2].strip() in ("必填", "选填")}
    assert set(rows) == set(ALIASES)
    for column, aliases in ALIASES.items():
        assert set(rows[column].strip().split("、")) == set(aliases), column
