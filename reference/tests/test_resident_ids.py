from datetime import date

import pytest

from landgrade_reference.resident_ids import (
    InvalidResidentId,
    mask,
    mask_resident_id,
    parse_resident_id,
    resident_id_check_character,
    resident_id_problems,
)

EXAMPLE = "11010519491231002X"  # the worked example of GB 11643-1999


def test_standard_example_with_x_check_is_valid() -> None:
    assert resident_id_problems(EXAMPLE) == []
    assert parse_resident_id("11010519491231002x") == EXAMPLE


def test_digit_check_character() -> None:
    assert resident_id_check_character("11010119900307003") == "8"
    assert resident_id_problems("110101199003070038") == []
    assert resident_id_problems("110101199003070039") == ["the check character does not match the first 17 digits"]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("110105194912310", "15-digit"),
        ("1101051949123100", "18 characters, got 16"),
        ("1101051949A231002X", "first 17 characters"),
        ("11010519491231002Y", "digit or X"),
        ("110105194913310021", "birth date"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw: str, fragment: str) -> None:
    assert any(fragment in reason for reason in resident_id_problems(raw))


def test_birth_date_in_the_future_is_refused() -> None:
    body = "11010520300101001"
    number = body + resident_id_check_character(body)
    assert resident_id_problems(number, today=date(2025, 1, 1)) == ["characters 7-14 are not a plausible birth date"]


def test_errors_never_quote_the_number() -> None:
    with pytest.raises(InvalidResidentId) as raised:
        parse_resident_id("110105194912310021")
    assert "110105194912310021" not in str(raised.value)


def test_mask_shows_three_leading_and_four_trailing_characters() -> None:
    assert mask_resident_id(EXAMPLE) == "110***********002X"
    assert len(mask_resident_id(EXAMPLE)) == 18


def test_short_values_are_masked_completely() -> None:
    assert mask("1234567") == "*******"
    assert mask("") == ""
