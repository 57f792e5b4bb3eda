import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from landgrade_reference.uscc import (
    ALPHABET,
    InvalidUscc,
    is_valid_uscc,
    parse_uscc,
    region_code,
    uscc_check_character,
    uscc_problems,
    with_check_character,
)

# The worked example of GB 32100-2015 and a code printed on a real business licence.
KNOWN_VALID = ["91350100M000100Y43", "91110108551385082Q"]

first17 = (
    st.text(alphabet=ALPHABET, min_size=2, max_size=2)
    .flatmap(
        lambda head: st.tuples(
            st.just(head),
            st.text(alphabet="0123456789", min_size=6, max_size=6),
            st.text(alphabet=ALPHABET, min_size=9, max_size=9),
        )
    )
    .map("".join)
)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_are_valid(code: str) -> None:
    assert uscc_problems(code) == []
    assert uscc_check_character(code[:17]) == code[17]


def test_wrong_check_character_names_the_expected_one() -> None:
    reasons = uscc_problems("91350100M000100Y44")
    assert reasons == ["check character is '4' but the first 17 characters require '3'"]


def test_lower_case_and_blanks_are_normalised() -> None:
    assert parse_uscc("  91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("91350100M000100Y4", "18 characters, got 17"),
        ("91350100M000100Y433", "18 characters, got 19"),
        ("91350100M0001O0Y43", "character 14 'O' is not allowed in a USCC (did you mean '0'?)"),
        ("9135010IM000100Y43", "character 8 'I'"),
        ("91A50100M000100Y43", "characters 3-8 (the region code) must be digits"),
        ("91350100M000100Y4\x00", "NUL byte"),
    ],
)
def test_rejections_say_why(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidUscc) as raised:
        parse_uscc(raw)
    assert fragment in str(raised.value)


def test_non_text_is_rejected() -> None:
    assert uscc_problems(91350100) == ["a USCC must be text"]


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ０Ａ -", min_size=17, max_size=19))
def test_a_well_formed_code_and_one_with_reasons_are_told_apart_alike(raw: str) -> None:
    """Codes of the alphabet take a shorter path than the rest; both say the same of each code."""
    code = raw + "0"
    problems = uscc_problems(code)
    normal = code.replace(" ", "").replace("-", "").replace("０", "0").replace("Ａ", "A")
    well_formed = len(normal) == 18 and all(c in ALPHABET for c in normal) and normal[2:8].isdigit()
    assert (problems == [] or problems[0].startswith("check character")) == well_formed


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_the_check_character_is_the_one_python_stdnum_computes(body: str) -> None:
    assert uscc_check_character(body) == stdnum_uscc.calc_check_digit(body)


@given(first17)
def test_generated_codes_are_valid(body: str) -> None:
    assert is_valid_uscc(with_check_character(body))


@given(first17, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_any_single_typo_is_caught(body: str, position: int, replacement: str) -> None:
    code = with_check_character(body)
    typo = code[:position] + replacement + code[position + 1 :]
    assert is_valid_uscc(typo) == (typo == code)


@given(first17, st.integers(8, 15))
def test_swapping_neighbours_is_caught(body: str, position: int) -> None:
    code = with_check_character(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert is_valid_uscc(swapped) == (swapped == code)


def test_region_code_is_characters_3_to_8() -> None:
    assert region_code("91110108551385082Q") == "110108"
