from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.domain.money import cny_en, cny_zh, cny_zh_pair, per_hectare


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("241000000", "2.41亿元", "241,000,000"),
        ("300000000", "3亿元", "300,000,000"),
        ("20000000", "2000万元", "20,000,000"),
        ("15500000", "1550万元", "15,500,000"),
        ("1234.5", "1234.5元", "1,234.50"),
        ("0", "0元", "0"),
    ],
)
def test_amounts_read_naturally(amount: str, zh: str, en: str) -> None:
    assert cny_zh(D(amount)) == zh
    assert cny_en(D(amount)) == en


def test_close_amounts_never_look_equal_or_reversed() -> None:
    assert cny_zh_pair(D("299999999.99"), D("300000000")) == ("2.99亿元", "3亿元")
    assert cny_zh_pair(D("299900000"), D("299800000")) == ("2.999亿元", "2.998亿元")
    assert cny_zh_pair(D("300000000.5"), D("300000000")) == ("3.000000005亿元", "3亿元")


def test_per_hectare_is_cut_to_the_fen_so_it_never_overstates() -> None:
    assert per_hectare(D("100"), D("30000")) == D("33.33")
    assert per_hectare(D("299999999.999"), D("10000")) == D("299999999.99")
