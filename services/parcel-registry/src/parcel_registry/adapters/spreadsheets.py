"""Reading an uploaded parcel sheet (CSV or XLSX) into a header and text cells per row.

CSV is read as UTF-8 (with or without a byte-order mark) or, failing that, GB 18030, the encoding
Excel on a Chinese system saves CSV in. XLSX is recognised by its zip signature; only the first
worksheet is read, and the header is its first row.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

ZIP_SIGNATURE = b"PK\x03\x04"
Rows = list[tuple[int, dict[str, str | None]]]


class UnreadableSheet(ValueError):
    pass


def read_sheet(data: bytes) -> tuple[list[str], Rows]:
    if not data.strip():
        raise UnreadableSheet("the file is empty")
    if data.startswith(ZIP_SIGNATURE):
        return _xlsx(data)
    return _csv(data)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableSheet("the CSV file is neither UTF-8 nor GB 18030 text")


def _keyed(number: int, headers: list[str], cells: list[str | None]) -> tuple[int, dict[str, str | None]]:
    return number, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(headers)}


def _csv(data: bytes) -> tuple[list[str], Rows]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        headers = [h.strip() for h in next(reader)]
        rows = [_keyed(reader.line_num, headers, list(cells)) for cells in reader]
    except csv.Error as bad:
        raise UnreadableSheet(f"the CSV file cannot be read: {bad}") from None
    return headers, rows


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | Decimal | int):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return str(value)


def _xlsx(data: bytes) -> tuple[list[str], Rows]:
    from openpyxl import load_workbook  # heavy import, needed only for XLSX uploads

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as bad:  # openpyxl raises many kinds for a damaged file
        raise UnreadableSheet(f"the XLSX file cannot be read: {type(bad).__name__}") from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        headers = [(_cell(h) or "").strip() for h in next(lines, ())]
        rows = [_keyed(number, headers, [_cell(v) for v in values]) for number, values in enumerate(lines, start=2)]
    finally:
        book.close()
    return headers, rows
