"""The annotated copy of a refused sheet, and when a sheet becomes an import job."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from landgrade_reference.uscc import with_check_character
from parcel_registry.service_layer.import_jobs import JobSettings
from parcel_registry.service_layer.import_sheets import _report
from parcel_registry.service_layer.parcels import ImportLimits

HOLDER = with_check_character("91110115MA0000001")


def test_a_csv_comes_back_as_xlsx_with_its_text_kept_as_text_and_every_problem_noted() -> None:
    sheet = (f"宗地编号,名称,街道,面积,类别,统一社会信用代码\n"
             f"YZ-1,=HYPERLINK(\"http://x\"),荣华街道,100,自用,{HOLDER}\n"
             f"YZ-2,园区,荣华街道,-1,工业,{HOLDER}\n").encode("gb18030")
    report = _report(sheet, ImportLimits())
    assert (report.problems_total, report.rows) == (2, 2)
    book = load_workbook(io.BytesIO(report.xlsx))
    data = book.active
    assert data.cell(2, 2).value == '=HYPERLINK("http://x")' and data.cell(2, 2).data_type == "s"  # not a formula
    assert data.cell(1, 7).value == "错误说明" and data.cell(2, 7).value is None
    assert data.cell(3, 7).value == "面积：面积必须大于 0 平方米；类别：应为以下之一：self_use, approved_park, renewal_park " \
                                    "(or 自用, 立项园区, 城市更新园区)"
    assert data.cell(3, 4).fill.fgColor.rgb.endswith("FFC7CE") and data.cell(3, 5).fill.fgColor.rgb.endswith("FFC7CE")
    assert not data.cell(3, 3).fill.fgColor.rgb.endswith("FFC7CE")


def test_a_report_sent_back_again_keeps_one_explanation_column() -> None:
    first = _report(f"宗地编号,名称,街道,面积,类别,统一社会信用代码\nYZ-1,园区,海淀,100,自用,{HOLDER}\n".encode(),
                    ImportLimits())
    again = _report(first.xlsx, ImportLimits())
    data = load_workbook(io.BytesIO(again.xlsx)).active
    assert [c.value for c in data[1]].count("错误说明") == 1 and again.problems_total == 1


def test_a_sheet_over_either_threshold_is_a_job() -> None:
    jobs = JobSettings(min_bytes=1000, min_rows=10)
    assert not jobs.wants_job(1000) and jobs.wants_job(1001)
    assert not jobs.wants_job(10, rows=10) and jobs.wants_job(10, rows=11)


def test_a_csv_with_control_characters_still_gets_its_report() -> None:
    """Regression: a control character in a CSV cell made the report fail (XLSX cannot hold it)."""
    from parcel_registry.adapters.sheet_report import annotated
    from parcel_registry.adapters.spreadsheets import read_sheet

    data = b"parcel_id,name\nYZ-1,bad\x1ename\n"
    sheet = read_sheet(data, max_rows=10, max_bytes=10_000)
    book = load_workbook(io.BytesIO(annotated(data, sheet, [])))
    assert book.active["B2"].value == "bad\ufffdname"
