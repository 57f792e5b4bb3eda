"""Sheets safe to open: every export of the project (the CLI's, and the console's downloads) is
written here, so that text is always text and numbers are numbers.

A cell whose text begins with `=`, `+`, `-` or `@` (or a tab or carriage return) is taken by
Excel and WPS for a formula: an enterprise named `=HYPERLINK(...)` would become a live link in the
land office's sheet. XLSX cells are written with the string type and Excel's quote prefix; CSV
cells of that kind get a leading apostrophe (the OWASP CSV-injection rule). CSV is UTF-8 with a
byte-order mark, which Excel needs to read Chinese text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | None


def cell_value(value: Any) -> Cell:
    """JSON numbers stay numbers (booleans become text); everything else is text."""
    if value is None or (isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)):
        return value
    return str(value)


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    count = 0

    def cells(values: Sequence[Any]) -> list[WriteOnlyCell]:
        out = []
        for raw in values:
            value = cell_value(raw)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never "f", whatever the text begins with
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
        count += 1
    book.save(path)
    return count


def csv_text(value: Any) -> str:
    cell = cell_value(value)
    if not isinstance(cell, str):
        return "" if cell is None else str(cell)  # a number, its sign included, is no formula
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([csv_text(h) for h in header])
        for row in rows:
            writer.writerow([csv_text(v) for v in row])
            count += 1
    return count


# -- reports: the lists the land office hands on ---------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a report: its key in a row, its headers, and how its cells are typed."""

    key: str
    zh: str
    en: str
    kind: str = "text"  # text | number | date
    number_format: str | None = None  # Excel's, for numbers: "0.00", "#,##0"
    width: int = 14

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def typed(value: Any, column: Column) -> Cell | date:
    """A report cell as what it is: numbers as numbers, dates as dates, everything else text."""
    if value is None or value == "":
        return None
    if column.kind == "number":
        return Decimal(str(value)) if not isinstance(value, (int, Decimal)) else value
    if column.kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return str(value)


def write_report(path: Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]],
                 about: Sequence[tuple[str, str]], lang: str = "zh", title: str = "") -> int:
    """A report by the file's suffix: `.csv` (UTF-8 with BOM, typed values, formula-safe text) or
    `.xlsx` (typed cells with formats, a frozen header, set widths, and a 说明 sheet `about`)."""
    header = [c.header(lang) for c in columns]
    table = ([typed(row.get(c.key), c) for c in columns] for row in rows)
    if path.suffix.lower() == ".csv":
        return write_csv(path, header, table)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path.name}: write .xlsx or .csv")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = (title or ("list" if lang == "en" else "名单"))[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for values in table:
        count += 1
        for index, (value, column) in enumerate(zip(values, columns, strict=True), start=1):
            cell = sheet.cell(row=count + 1, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text begins with
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True
            elif column.kind == "number" and column.number_format:
                cell.number_format = column.number_format
            elif column.kind == "date":
                cell.number_format = "yyyy-mm-dd"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    notes = book.create_sheet("About" if lang == "en" else "说明")
    for label, text in about:
        notes.append([label, str(cell_value(text))])
        if str(text).startswith(FORMULA_START):
            notes.cell(row=notes.max_row, column=2).quotePrefix = True
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 18, 60
    book.save(path)
    return count
