"""Checks for the plain values every record carries: text, money, areas, years.

Each checker returns a reason string (or ``None`` when the value is fine) so a caller can collect
all problems of a record at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

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
# A lone surrogate (JSON "\\ud800") is no character: no UTF-8 text, database or event can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_REASON = "contains a lone surrogate (\\ud800-\\udfff), which is not a character"


def text_problem(value: object, *, required: bool = True, max_length: int = 200) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    if "\x00" in value:
        return "contains a NUL byte"
    if _SURROGATE.search(value):
        return SURROGATE_REASON
    if _CONTROL.search(value):
        return "contains a control character"
    if required and not value.strip():
        return "must not be empty"
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    return None


@lru_cache(maxsize=8)
def _plain_identifier(max_length: int) -> re.Pattern[str]:
    # An id that passes every check of `identifier_problem` at once: 1 to max_length characters,
    # none of them a control character, a surrogate, a blank (`\s`) or one of / \ ? # %.
    return re.compile(rf"[^\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\s/\\?#%]{{1,{max_length}}}")


def identifier_problem(value: object, *, max_length: int = 64) -> str | None:
    """Ids travel in URL paths and Kafka keys: no blanks, slashes or control characters."""
    if isinstance(value, str) and _plain_identifier(max_length).fullmatch(value):
        return None  # every filing and row read back carries ids: the common case in one scan
    return _identifier_reason(value, max_length)


def _identifier_reason(value: object, max_length: int) -> str | None:
    problem = text_problem(value, max_length=max_length)
    if problem:
        return problem
    assert isinstance(value, str)
    if value != value.strip() or _SPACE.search(value):
        return "must not contain spaces"
    if _UNSAFE.search(value):
        return "must not contain / \\ ? # or %"
    return None


def any_surrogate(texts: Iterable[str]) -> bool:
    """Whether any of these strings holds a lone surrogate (one scan of them all)."""
    return _SURROGATE.search("".join(texts)) is not None


def surrogate_problem(value: object) -> str | None:
    """Whether any text in ``value`` (a string, or the strings and keys of nested JSON) holds a lone
    surrogate."""
    if isinstance(value, str):
        return SURROGATE_REASON if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        return next((p for k, v in value.items() if (p := surrogate_problem(k) or surrogate_problem(v))), None)
    if isinstance(value, list | tuple):
        return next((p for v in value if (p := surrogate_problem(v))), None)
    return None


# The one rule for numbers written as text (money, areas, shares; JSON bodies, batch lines and
# sheet cells alike): the full-width forms Chinese input methods type (０-９ ． － ＋ ，) are read as
# their ASCII forms (their NFKC); any other non-ASCII character, other scripts' digits included
# (Arabic-Indic ١٢٣, Devanagari, circled or superscript digits), is refused, never read as a digit.
# Negative zero is refused where amounts are checked (`money_problem`, `area_problem`).
_FULL_WIDTH_NUMBER = re.compile("[\uff10-\uff19\uff0e\uff0d\uff0b\uff0c]")


def number_text(raw: str) -> str:
    """``raw`` with full-width digits, point, signs and commas as ASCII; ValueError naming the first
    other non-ASCII character."""
    text = _FULL_WIDTH_NUMBER.sub(lambda m: unicodedata.normalize("NFKC", m.group()), raw)
    if text.isascii():
        return text
    ch = next(c for c in text if not c.isascii())
    if _SURROGATE.match(ch):
        raise ValueError(SURROGATE_REASON)
    if unicodedata.category(ch) == "Nd" or unicodedata.numeric(ch, None) is not None:
        raise ValueError(f"digit {ch!r} (U+{ord(ch):04X}) is not accepted: write digits as 0-9")
    raise ValueError(f"character {ch!r} (U+{ord(ch):04X}) is not accepted in a number")


def parse_decimal(raw: object) -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats are refused (they lose fen)."""
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValueError("must be a decimal string or an integer, not a binary float")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = number_text(raw).strip()
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
    if value.is_signed():
        return "must not be negative zero (-0)"
    if value > MAX_MONEY:
        return f"must not exceed {MAX_MONEY:,} CNY"
    if value != value.quantize(FEN):
        return "must have at most 2 decimal places (fen)"
    return None


def area_problem(value: object) -> str | None:
    if not isinstance(value, Decimal) or not value.is_finite():
        return "must be a decimal area in m²"
    if value.is_signed() and value == 0:
        return "must not be negative zero (-0)"
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
