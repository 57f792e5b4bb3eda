"""Reading typed values out of one import row's text cells, collecting a reason per bad cell."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from landgrade_reference.jurisdictions import jurisdiction_from_text
from landgrade_reference.uscc import normalise_uscc

from .contracts import ContractedDeadline, ContractTerms, YearlyCommitment
from .errors import DomainValidationError
from .identities import uscc_reasons
from .parcels import ParcelCategory
from .reasons_zh import in_chinese
from .sheet_headers import ALIASES, REQUIRED, Header
from .values import identifier_problem, money_problem, number_text, parse_decimal, text_problem


@dataclass(frozen=True)
class RowError:
    """One problem of a sheet: `row` as Excel shows it, `column` the ledger's column name,
    `reason` in English; `header` is the clerk's own header of that column and `sheet` the
    worksheet's name, so the problem can be found in the sheet the clerk sent."""

    row: int
    column: str
    reason: str
    zh: str | None = field(default=None, compare=False)
    header: str = field(default="", compare=False)
    sheet: str = field(default="", compare=False)

    @property
    def message(self) -> tuple[str, str]:
        """(Chinese, English)."""
        return self.zh or in_chinese(self.reason), self.reason

    def located(self, sheet: str, headers: Mapping[str, str]) -> RowError:
        """The same problem with the sheet's name and the clerk's header of its column."""
        return replace(self, sheet=sheet, header=self.header or headers.get(self.column, self.column))


_CATEGORIES = {
    **{c.value: c for c in ParcelCategory},
    "自用": ParcelCategory.SELF_USE,
    "自用工业用地项目": ParcelCategory.SELF_USE,
    "立项园区": ParcelCategory.APPROVED_PARK,
    "城市更新园区": ParcelCategory.RENEWAL_PARK,
}


def aliases_of() -> dict[str, tuple[str, ...]]:
    """Each column with every header it is read under (the column name first)."""
    return {column: (column, *aliases) for column, aliases in ALIASES.items()}


__all__ = ["REQUIRED", "Cells", "RowError", "aliases_of"]


class Cells:
    """One row's cells keyed by column; `headers` says the unit each column's cells are in."""

    def __init__(self, number: int, row: Mapping[str, str | None], headers: Mapping[str, Header] | None = None) -> None:
        self.number, self.row, self.errors = number, row, list[RowError]()
        self.headers = headers or {}

    def _raw(self, column: str) -> str:
        value = self.row.get(column)
        return "" if value is None else str(value)

    def _fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.number, column, reason))

    def text(self, column: str, *, required: bool = True) -> str | None:
        raw = self._raw(column)
        if problem := text_problem(raw, required=required, max_length=300):
            self._fail(column, problem)
            return None
        return raw.strip()

    def identifier(self, column: str) -> str | None:
        raw = self._raw(column).strip()
        if problem := identifier_problem(raw):
            self._fail(column, problem)
            return None
        return raw

    def _present(self, column: str) -> str | None:
        raw = self._raw(column)
        if "\x00" in raw:
            self._fail(column, "contains a NUL byte")
            return None
        return raw.strip() or None

    def decimal(
        self, column: str, *, required: bool = True, check: Callable[[Decimal], str | None] = money_problem
    ) -> Decimal | None:
        raw = self._present(column)
        if raw is None and required and "\x00" not in self._raw(column):
            self._fail(column, "must not be empty")
        if raw is None:
            return None
        try:
            value = parse_decimal(number_text(raw).replace(",", ""))  # spreadsheets show thousands separators
        except ValueError as bad:
            self._fail(column, str(bad))
            return None
        if (header := self.headers.get(column)) is not None:
            value = header.convert(value)
        if problem := check(value):
            self._fail(column, problem)
            return None
        return value

    def year(self, column: str) -> int | None:
        raw = self._present(column)
        if raw is None:
            return None
        if not raw.removesuffix(".0").isdigit():
            self._fail(column, "must be a year such as 2024")
            return None
        return int(raw.removesuffix(".0"))

    def date(self, column: str) -> date | None:
        raw = self._present(column)
        if raw is None:
            return None
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        self._fail(column, "must be a date such as 2025-06-30")
        return None

    def jurisdiction(self, column: str) -> str | None:
        raw = self._present(column)
        if not raw:
            self._fail(column, "must not be empty")
            return None
        try:
            return jurisdiction_from_text(raw).code
        except ValueError as bad:
            self._fail(column, str(bad))
            return None

    def category(self, column: str) -> ParcelCategory | None:
        raw = self._present(column) or ""
        found = _CATEGORIES.get(raw) or _CATEGORIES.get(raw.lower())
        if found is None:
            names = ", ".join(ParcelCategory)
            self._fail(column, f"must be one of {names} (or 自用, 立项园区, 城市更新园区)")
            return None
        return found

    def uscc(self, column: str) -> str | None:
        raw = self._present(column) or ""
        if reasons := uscc_reasons(raw):
            self._fail(column, "; ".join(reasons))
            return None
        return normalise_uscc(raw)

    def geometry(self, column: str) -> dict[str, Any] | None:
        raw = self._present(column)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            self._fail(column, "is not valid JSON")
            return None
        if not isinstance(value, dict):
            self._fail(column, "must be a GeoJSON object")
            return None
        return value

    def contract_terms(self) -> ContractTerms | None:
        output = self.decimal("committed_output_value", required=False)
        tax = self.decimal("committed_tax", required=False)
        first, last = self.year("commitment_from_year"), self.year("commitment_to_year")
        due = self.date("production_start_due")
        commitments: tuple[YearlyCommitment, ...] = ()
        if output is not None or tax is not None or first is not None:
            needed = {"committed_output_value": output, "committed_tax": tax, "commitment_from_year": first}
            for column, value in needed.items():
                if value is None and not any(e.column == column for e in self.errors):
                    self._fail(column, "a commitment needs output value, tax and the first year")
            if output is not None and tax is not None and first is not None:
                commitments = (YearlyCommitment(first, output, tax, last),)
        deadlines = (ContractedDeadline("production_start", due),) if due else ()
        if self.errors:
            return None
        try:
            return ContractTerms(commitments, deadlines)
        except DomainValidationError as invalid:
            for e in invalid.errors:
                self._fail(_term_column(e.field), e.reason)
            return None


def _term_column(field: str) -> str:
    return {
        "commitments[0].output_value": "committed_output_value",
        "commitments[0].tax": "committed_tax",
        "commitments[0].from_year": "commitment_from_year",
        "commitments[0].to_year": "commitment_to_year",
    }.get(field, "production_start_due")
