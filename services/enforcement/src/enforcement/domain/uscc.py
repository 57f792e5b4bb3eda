"""Unified Social Credit Code (USCC, 统一社会信用代码) check, per GB 32100-2015.

18 characters from a 31-symbol alphabet (no I, O, S, V, Z); the last one is a
check character computed from the other 17 with weights 3**i mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def check_character(first17: str) -> str:
    """The check character that completes `first17` into a valid USCC."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a valid USCC, or None when it is."""
    if len(value) != 18:
        return "a USCC has 18 characters"
    bad = sorted({ch for ch in value if ch not in ALPHABET})
    if bad:
        return f"characters not allowed in a USCC: {''.join(bad)}"
    if not value[2:8].isdigit():
        return "characters 3-8 of a USCC are the region code (digits)"
    if check_character(value[:17]) != value[17]:
        return "check character does not match (GB 32100-2015)"
    return None
