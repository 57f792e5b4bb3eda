"""The clerk's own sheet given back as XLSX with every problem on it: each bad cell filled red
and a 错误说明 column giving, per row, what is wrong in Chinese (header problems on the header
row). A CSV is given back as an XLSX of the same rows; its text is written as text, never as a
formula. Blocking: call it off the event loop."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence

from parcel_registry.adapters.spreadsheets import ZIP_SIGNATURE, Sheet, decode_csv
from parcel_registry.domain.row_cells import RowError

EXPLANATION = "错误说明"
BAD_FILL = "FFC7CE"  # Excel's own "bad" red


def _writable(text: str) -> str:
    """XLSX cannot hold control characters: each one the clerk's file had shows as U+FFFD, so the
    report is still written and the bad spot is still visible."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def annotated(data: bytes, sheet: Sheet, errors: Sequence[RowError]) -> bytes:
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Font, PatternFill

    if data.startswith(ZIP_SIGNATURE):
        book = load_workbook(io.BytesIO(data))
        target = book[sheet.name] if sheet.name in book.sheetnames else book.worksheets[0]
        book.active = book.worksheets.index(target)
    else:
        book = Workbook()
        target = book.active
        target.title = "导入数据"
        for cells in csv.reader(io.StringIO(decode_csv(data), newline="")):
            target.append([_writable(c) for c in cells])
            for cell in target[target.max_row]:
                if cell.data_type == "f":  # a CSV cell is text: "=1+1" stays what the clerk typed
                    cell.data_type = "s"
    fill, bold = PatternFill("solid", start_color=BAD_FILL, end_color=BAD_FILL), Font(bold=True)
    column_of = {h: i + 1 for i, h in enumerate(sheet.headers) if h}
    notes_at = _explanation_column(sheet)
    target.cell(sheet.header_row, notes_at, EXPLANATION).font = bold
    for row in range(sheet.header_row + 1, int(target.max_row) + 1):  # notes of an earlier report go
        target.cell(row, notes_at).value = None
    notes: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        label = error.header or error.column
        if (at := column_of.get(label)) is not None:
            target.cell(error.row, at).fill = fill
        notes[error.row].append(_writable(f"{label}：{error.message[0]}"))
    for row, lines in notes.items():
        cell = target.cell(row, notes_at, "；".join(lines))
        cell.fill = fill
    target.column_dimensions[target.cell(1, notes_at).column_letter].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _explanation_column(sheet: Sheet) -> int:
    """The sheet's own 错误说明 column (a report sent back again), else the first after its headers."""
    for index, header in enumerate(sheet.headers, start=1):
        if header == EXPLANATION:
            return index
    return len(sheet.headers) + 1
