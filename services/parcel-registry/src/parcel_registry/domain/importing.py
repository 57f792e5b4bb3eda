"""Row validation for the bulk parcel import (CSV or XLSX from land and planning staff).

Rows arrive as text cells keyed by the header; row numbers are the spreadsheet's. The import is
all-or-nothing, so every row is checked and every problem reported as (sheet, row, column,
reason) before anything is written. Headers are read through `sheet_headers` (Chinese and English
names, their variants, and units); a completely blank row is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .contracts import ContractTerms
from .errors import DomainValidationError
from .parcels import Parcel
from .row_cells import Cells, RowError
from .sheet_headers import ALIASES, BASE_UNIT, REQUIRED, Header, read_header
from .values import area_problem


@dataclass(frozen=True)
class Conversion:
    """A column whose unit was read from its header and converted (e.g. 面积(亩) to m²)."""

    column: str
    header: str
    unit: str
    to: str
    rows: int = 0

    def view(self) -> dict[str, object]:
        return {"column": self.column, "header": self.header, "from": self.unit, "to": self.to, "rows": self.rows}


@dataclass
class ImportResult:
    parcels: list[Parcel] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # data rows read (blank rows not counted)
    converted: list[Conversion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_headers(headers: Iterable[str | None], row: int = 1) -> tuple[dict[str, Header], list[RowError]]:
    """Each header of the clerk's sheet read (`sheet_headers`), keyed by the header as written;
    unknown, repeated or missing columns and unknown units are errors of the header row."""
    found: dict[str, Header] = {}
    errors: list[RowError] = []
    for raw in headers:
        label = (raw or "").strip()
        header = read_header(label)
        if header.problem is not None:
            zh, en = header.problem
            errors.append(RowError(row, header.column or label, en, zh=zh, header=label))
            continue
        if header.column is None:
            continue
        if any(h.column == header.column for h in found.values()):
            errors.append(RowError(row, header.column, f"column {header.column} appears twice",
                                   zh=f"列“{label}”与另一列重复（均为 {header.column}）", header=label))
            continue
        found[raw or ""] = header
    for column in sorted(REQUIRED - {h.column for h in found.values()}):
        errors.append(RowError(row, column, "required column is missing",
                               zh=f"缺少必填列（{'、'.join(ALIASES[column][:2])}）", header=ALIASES[column][0]))
    return found, errors


def header_errors(headers: Iterable[str | None]) -> tuple[dict[str, str], list[RowError]]:
    """Maps each header to its column name; unknown, repeated or missing columns are errors."""
    found, errors = read_headers(headers)
    return {label: h.column for label, h in found.items() if h.column}, errors


_FIELD_TO_COLUMN = {
    "jurisdiction": "street",
    "contract_terms.commitments[0].output_value": "committed_output_value",
    "contract_terms.commitments[0].tax": "committed_tax",
    "contract_terms.commitments[0].from_year": "commitment_from_year",
    "contract_terms.commitments[0].to_year": "commitment_to_year",
    "contract_terms.deadlines[0].due_on": "production_start_due",
}


def parse_row(number: int, row: Mapping[str, str | None], headers: Mapping[str, Header] | None = None
              ) -> Parcel | list[RowError]:
    """One data row (keyed by column name) as a parcel, or every problem it has; `headers` (by
    column) give the unit each cell is in."""
    cells = Cells(number, row, headers)
    values: dict[str, Any] = {
        "parcel_id": cells.identifier("parcel_id"),
        "name": cells.text("name"),
        "address": cells.text("address", required=False) or "",
        "jurisdiction": cells.jurisdiction("street"),
        "area_m2": cells.decimal("area_m2", check=area_problem),
        "category": cells.category("category"),
        "rights_holder": cells.uscc("rights_holder"),
        "geometry": cells.geometry("geometry"),
        "contract_terms": cells.contract_terms() or ContractTerms(),
    }
    cells.text("rights_holder_name", required=False)  # the clerk's reference only: the ledger keys holders by USCC
    if cells.errors:
        return cells.errors
    try:
        return Parcel(**values)
    except DomainValidationError as invalid:
        return [RowError(number, _FIELD_TO_COLUMN.get(e.field, e.field), e.reason) for e in invalid.errors]


def validate_rows(headers: Iterable[str | None], rows: Iterable[tuple[int, Mapping[str, str | None]]], *,
                  header_row: int = 1, sheet: str = "") -> ImportResult:
    """Checks a whole sheet; ``rows`` are (row number, cells keyed by the original header). Every
    problem carries the sheet's name and the clerk's own header of its column."""
    read, errors = read_headers(headers, header_row)
    result = ImportResult(errors=errors)
    label_of = {h.column: label for label, h in read.items() if h.column}
    if not errors:
        _validate_rows(read, rows, result)
    result.errors = [e.located(sheet, label_of) for e in result.errors]
    return result


def _validate_rows(read: dict[str, Header], rows: Iterable[tuple[int, Mapping[str, str | None]]],
                   result: ImportResult) -> None:
    by_column = {h.column: h for h in read.values() if h.column}
    converted = {column: 0 for column, h in by_column.items() if h.unit is not None and h.unit.factor != 1}
    first_row_of: dict[str, int] = {}
    for number, raw in rows:
        row = {read[h].column or "": v for h, v in raw.items() if h in read}
        if all(v is None or not str(v).strip() for v in row.values()):
            continue
        result.rows += 1
        for column in converted:
            converted[column] += bool((row.get(column) or "").strip())
        parsed = parse_row(number, row, by_column)
        if isinstance(parsed, list):
            result.errors += parsed
            continue
        if parsed.parcel_id in first_row_of:
            reason = f"parcel {parsed.parcel_id} already appears in row {first_row_of[parsed.parcel_id]}"
            result.errors.append(RowError(number, "parcel_id", reason))
            continue
        first_row_of[parsed.parcel_id] = number
        result.parcels.append(parsed)
    if not result.parcels and not result.errors:
        result.errors.append(RowError(2, "parcel_id", "the file has no data rows"))
    result.converted = [
        Conversion(column, next(label for label, h in read.items() if h.column == column),
                   unit.name, BASE_UNIT[column].name, count)
        for column, count in converted.items() if count and (unit := by_column[column].unit) is not None
    ]
