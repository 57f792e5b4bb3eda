"""Reading an uploaded parcel sheet (CSV or XLSX) into a header and text cells per row.

CSV is read as UTF-8 (with or without a byte-order mark) or, failing that, GB 18030, the encoding
Excel on a Chinese system saves CSV in. XLSX is recognised by its zip signature and read in
openpyxl's read-only mode (streaming). Sheets of notes (说明) are passed over; the sheet read is the
first whose header row names every required column (else the one coming closest), and its header
row is found among the first `HEADER_SCAN` rows, under any title rows.

Work is bounded by the caller's limits: the file's size is checked before it gets here; an XLSX
whose parts would inflate to more than `XLSX_INFLATION` times the size limit is refused before it
is opened; at most `MAX_COLUMNS` columns are read; and reading stops at the first data row past
`max_rows` (blank rows are not counted, but no more than `BLANK_ROWS_PER_ROW` of them per allowed
row are read).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from parcel_registry.domain.sheet_headers import REQUIRED, header_row, header_score, is_instructions

ZIP_SIGNATURE = b"PK\x03\x04"
XLSX_INFLATION = 10
MAX_COLUMNS = 100
BLANK_ROWS_PER_ROW = 10
HEADER_SCAN = 20
Rows = list[tuple[int, dict[str, str | None]]]


@dataclass(frozen=True)
class Sheet:
    """The rows of the sheet read: `header_row` is the row number Excel shows for the header."""

    name: str
    header_row: int
    headers: list[str]
    rows: Rows


class UnreadableSheet(ValueError):
    pass


class TooManySheetRows(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the sheet has more than {limit} data rows")
        self.limit = limit


class SheetTooLarge(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the XLSX file inflates to more than {limit} bytes")
        self.limit = limit


def read_sheet(data: bytes, *, max_rows: int, max_bytes: int) -> Sheet:
    """Blocking and CPU-bound: call it off the event loop."""
    if not data.strip():
        raise UnreadableSheet("the file is empty")
    if data.startswith(ZIP_SIGNATURE):
        return _xlsx(data, max_rows, max_bytes * XLSX_INFLATION)
    return _csv(data, max_rows)


def decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableSheet("the CSV file is neither UTF-8 nor GB 18030 text")


def _keyed(number: int, headers: list[str], cells: Sequence[str | None]) -> tuple[int, dict[str, str | None]]:
    return number, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(headers)}


def _bounded(lines: Iterable[tuple[int, Sequence[str | None]]], headers: list[str], max_rows: int) -> Rows:
    rows: Rows = []
    taken = scanned = 0
    for number, cells in lines:
        scanned += 1
        if any(c is not None and str(c).strip() for c in cells):
            taken += 1
        if taken > max_rows or scanned > (max_rows + 1) * BLANK_ROWS_PER_ROW:
            raise TooManySheetRows(max_rows)
        rows.append(_keyed(number, headers, cells))
    return rows


def _csv(data: bytes, max_rows: int) -> Sheet:
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""))
    try:
        head: list[tuple[int, list[str]]] = []
        for cells in reader:
            head.append((reader.line_num, cells[:MAX_COLUMNS]))
            if len(head) == HEADER_SCAN:
                break
        at = header_row([cells for _, cells in head]) or 0
        if not head:
            raise UnreadableSheet("the file is empty")

        def lines() -> Iterator[tuple[int, list[str]]]:
            yield from head[at + 1:]
            for cells in reader:
                yield reader.line_num, cells[:MAX_COLUMNS]

        headers = _trimmed([h.strip() for h in head[at][1]])
        rows = _bounded(lines(), headers, max_rows)
    except csv.Error as bad:
        raise UnreadableSheet(f"the CSV file cannot be read: {bad}") from None
    return Sheet("", head[at][0], headers, rows)


def _trimmed(headers: list[str]) -> list[str]:
    """Without the blank headers past the last named column (a read-only sheet pads its rows)."""
    while headers and not headers[-1]:
        headers.pop()
    return headers


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


def _xlsx(data: bytes, max_rows: int, max_inflated: int) -> Sheet:
    from openpyxl import load_workbook  # heavy import, needed only for XLSX uploads

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as bad:
        raise UnreadableSheet(f"the XLSX file cannot be read: {type(bad).__name__}") from None
    if inflated > max_inflated:
        raise SheetTooLarge(max_inflated)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as bad:  # openpyxl raises many kinds for a damaged file
        raise UnreadableSheet(f"the XLSX file cannot be read: {type(bad).__name__}") from None
    try:
        sheet, at = _data_sheet(book)
        lines = sheet.iter_rows(min_row=at, values_only=True, max_col=MAX_COLUMNS)
        headers = _trimmed([(_cell(h) or "").strip() for h in next(lines, ())])
        rows = _bounded(
            ((number, [_cell(v) for v in values]) for number, values in enumerate(lines, start=at + 1)),
            headers, max_rows,
        )
    except (TooManySheetRows, UnreadableSheet):
        raise
    except Exception as bad:  # a damaged worksheet part shows only when it is read
        raise UnreadableSheet(f"the XLSX file cannot be read: {type(bad).__name__}") from None
    finally:
        book.close()
    return Sheet(str(sheet.title), at, headers, rows)


def _data_sheet(book: Any) -> tuple[Any, int]:
    """The worksheet holding the parcels and its header's row number (1-based)."""
    best: tuple[int, Any, int] | None = None
    for sheet in book.worksheets:
        if is_instructions(str(sheet.title)):
            continue
        head = [list(values) for values in sheet.iter_rows(max_row=HEADER_SCAN, values_only=True,
                                                           max_col=MAX_COLUMNS)]
        at = header_row(head)
        score = header_score(head[at]) if at is not None else 0
        if score == len(REQUIRED):
            return sheet, at + 1 if at is not None else 1
        if best is None or score > best[0]:
            best = (score, sheet, (at or 0) + 1)
    if best is None:
        raise UnreadableSheet("the workbook has no sheet of parcels (only notes)")
    return best[1], best[2]
