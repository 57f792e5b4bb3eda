"""The lists a clerk hands on, as the clerk opens them: Chinese headers in report order, numbers
as numbers in the units people use, a 说明 sheet, a CSV Excel reads in Chinese."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from landgrade.exports import write_report
from landgrade.lists import GRADE_COLUMNS, UnknownStreet, grade_row, street

GRADE = {"parcel_id": "YZ-2018-0023", "year": 2025, "grade": "A", "status": "final", "street": "荣华街道",
         "holder_uscc": "91110302MA01A2B3C3"}
DOCUMENT = {"metrics": {"area_ha": "2", "output_per_ha": "312000000.00", "tax_per_ha": "15500000.00"},
            "reasons": [{"zh": "地均产值3.12亿元/公顷，达到3亿元/公顷", "en": "output per ha 312,000,000 ≥ 300,000,000"},
                        {"zh": "地均税收1550万元/公顷，达到1500万元/公顷", "en": "tax per ha meets the threshold"}]}
PARCEL = {"parcel_id": "YZ-2018-0023", "area_m2": "20000", "category": "self_use", "street": "荣华街道"}


def test_a_grade_line_reads_in_the_units_people_use() -> None:
    row = grade_row(GRADE, DOCUMENT, PARCEL, "北京亦庄精密制造有限公司")
    assert row["area_ha"] == Decimal(2) and row["output_per_ha"] == Decimal("3.12")
    assert row["tax_per_ha"] == Decimal("1550")
    assert (row["category"], row["status"], row["street"]) == ("自用工业用地项目", "正式", "荣华街道")
    assert row["reasons"].startswith("地均产值3.12亿元/公顷") and "；" in row["reasons"]
    english = grade_row(GRADE, DOCUMENT, PARCEL, "x", lang="en")
    assert (english["category"], english["status"], english["street"]) == (
        "self-use industrial project", "final", "Ronghua Street")


def test_a_street_is_found_by_name_code_or_english_and_an_unknown_one_lists_the_known() -> None:
    assert street("荣华").name_zh == street("荣华街道").name_zh == street("Ronghua Street").name_zh == "荣华街道"
    with pytest.raises(UnknownStreet, match="博兴街道"):
        street("荣华路")


def test_the_xlsx_has_chinese_headers_typed_numbers_a_frozen_header_and_an_about_sheet(tmp_path: Path) -> None:
    rows = [grade_row(GRADE, DOCUMENT, PARCEL, "=HYPERLINK(\"http://x\")")]
    out = tmp_path / "A-2025.xlsx"
    assert write_report(out, GRADE_COLUMNS, rows, [("年度", "2025"), ("导出人", "land-staff")]) == 1
    book = load_workbook(out)
    sheet, about = book.worksheets
    assert [c.value for c in sheet[1]] == ["地块编号", "街道/镇", "土地使用权人", "统一社会信用代码", "用地类别",
                                          "面积(公顷)", "地均产值(亿元/公顷)", "地均税收(万元/公顷)", "等级",
                                          "状态(暂定/正式)", "理由"]
    line = {h.value: c for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert line["面积(公顷)"].data_type == "n" and line["面积(公顷)"].value == 2
    assert line["地均产值(亿元/公顷)"].value == pytest.approx(3.12)
    assert line["地均产值(亿元/公顷)"].number_format == "0.00"
    assert line["土地使用权人"].data_type == "s" and line["土地使用权人"].value.startswith("=HYPERLINK")
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["K"].width == 80
    assert about.title == "说明" and ["年度", "2025"] in [[c.value for c in r] for r in about.iter_rows()]


def test_the_csv_carries_the_bom_and_english_on_request(tmp_path: Path) -> None:
    out = tmp_path / "A-2025.csv"
    write_report(out, GRADE_COLUMNS, [grade_row(GRADE, DOCUMENT, PARCEL, "亦庄", lang="en")], [], lang="en")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, line = raw.decode("utf-8-sig").splitlines()
    assert header.startswith("Parcel id,Street or town,Rights holder,USCC")
    assert ",2,3.12,1550.00,A,final," in line


def test_only_xlsx_and_csv_are_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"xlsx or \.csv"):
        write_report(tmp_path / "list.txt", GRADE_COLUMNS, [], [])
