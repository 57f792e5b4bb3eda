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
from collections.abc import Iterable, Sequence
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
