"""Responsible persons' names as non-admin readers see them."""

import pytest

from credit_ledger.domain.masking import mask_name


@pytest.mark.parametrize(("name", "shown"), [("王小明", "王**"), ("赵六", "赵*"), ("李", "李*"),
                                             ("Zhang Wei", "Z********"), ("", ""), (None, None)])
def test_only_the_first_character_of_a_name_is_shown(name: str | None, shown: str | None) -> None:
    assert mask_name(name) == shown
