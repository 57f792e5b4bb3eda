"""How amounts of CNY are shown in reasons: 亿元/万元 in Chinese, grouped digits in English.

The English text shows the exact compared number; the Chinese text uses the units people read
(2.41亿元) and adds decimals only where two compared numbers would otherwise look alike.
"""

from __future__ import annotations

import functools
from decimal import ROUND_DOWN, Decimal

YI = Decimal(100_000_000)  # 亿
WAN = Decimal(10_000)  # 万
CENT = Decimal("0.01")
M2_PER_HECTARE = Decimal(10_000)


def per_hectare(amount: Decimal, area_m2: Decimal) -> Decimal:
    """Amount per hectare, cut down to the fen so the shown number is the compared number."""
    return (amount * M2_PER_HECTARE / area_m2).quantize(CENT, rounding=ROUND_DOWN)


def _plain(value: Decimal) -> str:
    """A decimal without exponent and without trailing zeros ("2.41", "3", "0")."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# The thresholds recur in every parcel's reasons: their texts are remembered (pure functions).
@functools.lru_cache(maxsize=4096)
def cny_en(amount: Decimal) -> str:
    """241000000 -> '241,000,000'; 3333.5 -> '3,333.50'."""
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.quantize(CENT, rounding=ROUND_DOWN):,.2f}"


@functools.lru_cache(maxsize=4096)
def _zh(amount: Decimal, decimals: int | None) -> str:
    size = abs(amount)
    unit, scale = ("亿元", YI) if size >= YI else ("万元", WAN) if size >= WAN else ("元", Decimal(1))
    value = amount / scale
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    return _plain(value) + unit


def cny_zh(amount: Decimal) -> str:
    """241000000 -> '2.41亿元'; 20000000 -> '2000万元'; 1234.5 -> '1234.5元'."""
    return _zh(amount, 2)


def cny_zh_pair(left: Decimal, right: Decimal) -> tuple[str, str]:
    """Both amounts in Chinese units, precise enough that different amounts look different."""
    for decimals in range(2, 11):
        shown = (_zh(left, decimals), _zh(right, decimals))
        if left == right or shown[0] != shown[1]:
            return shown
    return _zh(left, None), _zh(right, None)


def hectares(area_m2: Decimal) -> Decimal:
    return area_m2 / M2_PER_HECTARE


def plain(value: Decimal) -> str:
    return _plain(value)
