import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement.domain.uscc import ALPHABET, check_character, uscc_problem

body17 = st.builds(
    lambda head, region, tail: head + region + tail,
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
)


def test_a_published_uscc_is_accepted() -> None:
    assert uscc_problem("91350100M000100Y43") is None


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y44", "check character"),
        ("91350100M000100I43", "not allowed"),
        ("91ABCDEFM000100Y43", "region code"),
    ],
)
def test_malformed_codes_are_explained(value: str, complaint: str) -> None:
    problem = uscc_problem(value)
    assert problem is not None and complaint in problem


@given(body17)
def test_the_check_character_completes_any_body(body: str) -> None:
    assert uscc_problem(body + check_character(body)) is None


@given(body17, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_any_single_mistyped_character_is_caught(body: str, pos: int, ch: str) -> None:
    code = body + check_character(body)
    typo = code[:pos] + ch + code[pos + 1 :]
    if typo != code and typo[2:8].isdigit():
        assert uscc_problem(typo) is not None
