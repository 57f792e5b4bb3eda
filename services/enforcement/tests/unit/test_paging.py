import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement.domain.paging import CURSOR_PATTERN, Cursor


def test_a_cursor_reads_back_as_the_exact_moment_and_id() -> None:
    at = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    cursor = Cursor(at, "0b5f3a3e-1d7c-4c1e-9a8e-7f6d5c4b3a21")
    assert re.fullmatch(CURSOR_PATTERN, cursor.text())
    assert Cursor.parse(cursor.text()) == cursor


@given(st.from_regex(CURSOR_PATTERN, fullmatch=True))
def test_every_text_the_documented_pattern_admits_is_a_cursor(text: str) -> None:
    assert Cursor.parse(text).text().split("~")[1] == text.split("~")[1]


@pytest.mark.parametrize("text", ["", "12", "~abc", "12~", "１２~abc", "x~abc"])
def test_other_text_is_not_a_cursor(text: str) -> None:
    with pytest.raises(ValueError):
        Cursor.parse(text)
