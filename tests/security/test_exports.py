"""Exports are safe to open: a name that looks like a formula stays text in Excel and WPS."""

from __future__ import annotations

import csv
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from landgrade.exports import write_csv, write_xlsx

HOSTILE = ['=HYPERLINK("http://evil.example","点击")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


@pytest.mark.parametrize("name", HOSTILE)
def test_xlsx_writes_formula_looking_text_as_text(tmp_path: Path, name: str) -> None:
    out = tmp_path / "grades.xlsx"
    write_xlsx(out, ["企业名称", "亩均税收（万元）"], [[name, Decimal("12.5")], ["北京某科技有限公司", 3]])
    with zipfile.ZipFile(out) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # 0 formula cells
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    # The text as given (XML reads a carriage return back as a line feed), the number a number.
    assert rows[1] == (name.replace("\r", "\n"), 12.5)
    assert rows[2] == ("北京某科技有限公司", 3)


def test_csv_prefixes_formula_looking_text_and_carries_a_bom(tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    write_csv(out, ["企业名称", "n"], [[name, 1] for name in HOSTILE] + [["荣华街道", -5]])
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows[1:-1]] == ["'" + name for name in HOSTILE]
    assert rows[-1] == ["荣华街道", "-5"]  # a number is not text, and keeps its sign
