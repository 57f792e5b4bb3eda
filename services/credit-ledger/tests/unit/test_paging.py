import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_ledger.domain.paging import HOLDER_CURSOR_PATTERN, HolderCursor


def test_a_cursor_reads_back_as_the_holder_and_parcel_it_was_made_from() -> None:
    cursor = HolderCursor("91110302MA00000001", "P-亦庄-2024~7")
    assert re.fullmatch(HOLDER_CURSOR_PATTERN, cursor.text())
    assert HolderCursor.parse(cursor.text()) == cursor


@given(st.from_regex(HOLDER_CURSOR_PATTERN, fullmatch=True))
def test_every_text_the_documented_pattern_admits_is_a_cursor(text: str) -> None:
    assert HolderCursor.parse(text).text() == text


@pytest.mark.parametrize("text", ["", "91110302MA00000001", "91110302MA00000001~", "91110302MA0000000~P-1",
                                  "９1110302MA00000001~P-1"])
def test_other_text_is_not_a_cursor(text: str) -> None:
    with pytest.raises(ValueError):
        HolderCursor.parse(text)
