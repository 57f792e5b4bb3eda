"""Checks for the plain values every record carries: text, money, areas, years.

Each checker returns a reason string (or ``None`` when the value is fine) so a caller can collect
all problems of a record at once.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")  # CNY is kept to the fen; finer amounts cannot be paid or split exactly.
# Sanity ceilings that keep a typo (or an attack) from overflowing storage; not policy thresholds.
MAX_MONEY = Decimal(10) ** 15
MAX_AREA_M2 = Decimal(10) ** 10
AREA_STEP = Decimal("0.0001")
# Compiled once: these checks run for every filing, and for every row read back from the database;
# a per-character loop in Python cost more than the SQL. Unicode category Cc is exactly
# U+0000-U+001F and U+007F-U+009F; tab and newline are allowed. `\s` is str.isspace().
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s")
_UNSAFE = re.compile(r"[/\\?#%]")


def text_problem(value: object, *, required: bool = True, max_length: int = 200) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    if "\x00" in value:
        return "contains a NUL byte"
    if _CONTROL.search(value):
        return "contains a control character"
    if required and not value.strip():
        return "must not be empty"
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    return None


def identifier_problem(value: object, *, max_length: int = 64) -> str | None:
    """Ids travel in URL paths and Kafka keys: no blanks, slashes or control characters."""
    problem = text_problem(value, max_length=max_length)
    if problem:
        return problem
    assert isinstance(value, str)
    if value != value.strip() or _SPACE.search(value):
        return "must not contain spaces"
    if _UNSAFE.search(value):
        return "must not contain / \\ ? # or %"
    return None


def parse_decimal(raw: object) -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats are refused (they lose fen)."""
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValueError("must be a decimal string or an integer, not a binary float")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not text or any(ch not in "0123456789.-+" for ch in text):
            raise ValueError(f"{raw!r} is not a decimal number")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{raw!r} is not a decimal number") from None
    else:
        raise ValueError("must be a decimal number")
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


def money_problem(value: object) -> str | None:
    if not isinstance(value, Decimal) or not value.is_finite():
        return "must be a decimal amount in CNY"
    if value < 0:
        return "must not be negative"
    if value > MAX_MONEY:
        return f"must not exceed {MAX_MONEY:,} CNY"
    if value != value.quantize(FEN):
        return "must have at most 2 decimal places (fen)"
    return None


def area_problem(value: object) -> str | None:
    if not isinstance(value, Decimal) or not value.is_finite():
        return "must be a decimal area in m²"
    if value <= 0:
        return "must be greater than 0 m²"
    if value > MAX_AREA_M2:
        return f"must not exceed {MAX_AREA_M2:,} m²"
    if value != value.quantize(AREA_STEP):
        return "must have at most 4 decimal places"
    return None


def year_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole year"
    if not 1949 <= value <= 2200:
        return "must be a year between 1949 and 2200"
    return None
