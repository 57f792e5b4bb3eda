"""The one normalisation of identifiers people type (USCCs, ID numbers)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from landgrade_reference.text import normalise_identifier


def full_rule(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).translate(str.maketrans("", "", " -\u00a0\u3000")).upper()


@given(st.text() | st.text(alphabet="0123456789abcdefxyzABCXYZ -\u3000\uff21\uff11", max_size=24))
def test_every_text_is_normalised_by_the_one_rule(raw: str) -> None:
    # Plain ASCII codes take a shorter path; it must give what the full rule gives.
    assert normalise_identifier(raw) == full_rule(raw)


def test_typed_forms_of_one_code_read_alike() -> None:
    typed = ["91110302mA0000000x", "9111 0302-MA00 0000 0X", "９１１１０３０２ＭＡ０００００００Ｘ", "91110302MA0000000X"]
    assert {normalise_identifier(t) for t in typed} == {"91110302MA0000000X"}
