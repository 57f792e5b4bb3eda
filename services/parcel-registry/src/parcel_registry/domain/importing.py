"""Row validation for the bulk parcel import (CSV or XLSX from land and planning staff).

Rows arrive as text cells keyed by the header; row numbers are the spreadsheet's (the header is
row 1). The import is all-or-nothing, so every row is checked and every problem reported as
(row, column, reason) before anything is written. Headers may be the English column names below
or the Chinese ones staff use; a completely blank row is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .contracts import ContractTerms
from .errors import DomainValidationError
from .parcels import Parcel
from .row_cells import COLUMNS, REQUIRED, Cells, RowError
from .values import area_problem


@dataclass
class ImportResult:
    parcels: list[Parcel] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def header_errors(headers: Iterable[str | None]) -> tuple[dict[str, str], list[RowError]]:
    """Maps each header to its column name; unknown, repeated or missing columns are errors."""
    mapping: dict[str, str] = {}
    errors: list[RowError] = []
    for header in headers:
        label = (header or "").strip()
        column = COLUMNS.get(label) or COLUMNS.get(label.lower())
        if column is None:
            if label:
                errors.append(RowError(1, label, "unknown column"))
            continue
        if column in mapping.values():
            errors.append(RowError(1, label, f"column {column} appears twice"))
            continue
        mapping[header or ""] = column
    for column in REQUIRED - set(mapping.values()):
        errors.append(RowError(1, column, "required column is missing"))
    return mapping, sorted(errors, key=lambda e: e.column)


_FIELD_TO_COLUMN = {
    "jurisdiction": "street",
    "contract_terms.commitments[0].output_value": "committed_output_value",
    "contract_terms.commitments[0].tax": "committed_tax",
    "contract_terms.commitments[0].from_year": "commitment_from_year",
    "contract_terms.commitments[0].to_year": "commitment_to_year",
    "contract_terms.deadlines[0].due_on": "production_start_due",
}


def parse_row(number: int, row: Mapping[str, str | None]) -> Parcel | list[RowError]:
    """One data row (keyed by column name) as a parcel, or every problem it has."""
    cells = Cells(number, row)
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
    if cells.errors:
        return cells.errors
    try:
        return Parcel(**values)
    except DomainValidationError as invalid:
        return [RowError(number, _FIELD_TO_COLUMN.get(e.field, e.field), e.reason) for e in invalid.errors]


def validate_rows(headers: Iterable[str | None], rows: Iterable[tuple[int, Mapping[str, str | None]]]) -> ImportResult:
    """Checks a whole sheet; ``rows`` are (row number, cells keyed by the original header)."""
    mapping, errors = header_errors(headers)
    result = ImportResult(errors=errors)
    if errors:
        return result
    first_row_of: dict[str, int] = {}
    for number, raw in rows:
        row = {mapping[h]: v for h, v in raw.items() if h in mapping}
        if all(v is None or not str(v).strip() for v in row.values()):
            continue
        parsed = parse_row(number, row)
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
    return result
