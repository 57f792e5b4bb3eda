"""The registry's input edges in the domain: one rule for digits in numbers, negative zero, lone
surrogates in text, and USCCs and ID numbers read only by `landgrade_reference`'s parsers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.identities import resident_id_reasons, uscc_reasons
from parcel_registry.domain.importing import validate_rows
from parcel_registry.domain.leases import Lease
from parcel_registry.domain.parcels import Parcel, ParcelCategory
from parcel_registry.domain.values import (
    _identifier_reason,
    any_surrogate,
    area_problem,
    identifier_problem,
    money_problem,
    number_text,
    parse_decimal,
    surrogate_problem,
    text_problem,
)

HOLDER = with_check_character("91110115MA0000001")
HEADERS = ["parcel_id", "name", "street", "area_m2", "category", "rights_holder", "committed_output_value",
           "committed_tax", "commitment_from_year"]


@pytest.mark.parametrize(("raw", "ascii_"), [("１２３.４５", "123.45"), ("－１２", "-12"), ("１，０００", "1,000"),
                                            ("12.5", "12.5")])
def test_full_width_digits_are_read_as_ascii(raw: str, ascii_: str) -> None:
    assert number_text(raw) == ascii_
    assert parse_decimal(raw.replace("，", "")) == Decimal(ascii_.replace(",", ""))


@pytest.mark.parametrize("raw", ["١٢٣", "۱۲۳", "१२३", "1²", "①", "12\u00a0"])
def test_other_non_ascii_digits_and_characters_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not accepted"):
        number_text(raw)
    with pytest.raises(ValueError):
        parse_decimal(raw)


def test_negative_zero_is_refused_as_money_and_as_area() -> None:
    for raw in ("-0.00", "-0", "－０"):
        assert money_problem(parse_decimal(raw)) == "must not be negative zero (-0)"
        assert area_problem(parse_decimal(raw)) == "must not be negative zero (-0)"
    assert money_problem(Decimal("0.00")) is None


def test_a_filing_names_the_amount_that_is_negative_zero() -> None:
    with pytest.raises(DomainValidationError) as refused:
        RevenueFiling("F-1", HOLDER, 2024, Decimal("-0.00"), Decimal("1"))
    assert [e.field for e in refused.value.errors] == ["output_value"]


def test_lone_surrogates_are_refused_in_text_ids_uscc_and_nested_json() -> None:
    assert text_problem("Park\ud800") is not None and text_problem("Park") is None
    assert surrogate_problem({"type": "Polygon", "properties": {"n\udc00": 1}}) is not None
    assert uscc_reasons(HOLDER[:5] + "\ud800" + HOLDER[6:]) and resident_id_reasons("1\ud800") != []
    with pytest.raises(DomainValidationError) as refused:
        Parcel("P\ud800", "Plant\udfff", "boxing", Decimal(10), ParcelCategory.SELF_USE, HOLDER)
    assert {e.field for e in refused.value.errors} == {"parcel_id", "name"}
    with pytest.raises(DomainValidationError) as refused:
        Lease("L1", "P1", "\ud800", Decimal(10), date(2024, 1, 1))
    assert [e.field for e in refused.value.errors] == ["tenant"]


@pytest.mark.parametrize("written", [HOLDER.lower(), " ".join(HOLDER), HOLDER[:6] + "-" + HOLDER[6:],
                                     HOLDER.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})])
def test_uscc_in_any_printed_form_is_normalised(written: str) -> None:
    assert uscc_reasons(written) == []
    assert Parcel("P1", "Plant", "boxing", Decimal(10), ParcelCategory.SELF_USE, written).rights_holder == HOLDER


def test_uscc_with_a_wrong_check_character_is_refused() -> None:
    wrong = HOLDER[:17] + ("0" if HOLDER[17] != "0" else "1")
    assert any("check character" in r for r in uscc_reasons(wrong))


def test_sheet_rows_follow_the_digit_rule_and_name_the_column() -> None:
    def row(**changes: str) -> dict[str, str | None]:
        base: dict[str, str | None] = {"parcel_id": "YZ-1", "name": "Plant", "street": "boxing", "area_m2": "２５０００",
                                       "category": "self_use", "rights_holder": HOLDER.lower(),
                                       "committed_output_value": "１，０００，０００．００", "committed_tax": "0",
                                       "commitment_from_year": "2024"}
        return base | changes

    good = validate_rows(HEADERS, [(2, row())])
    assert good.ok and good.parcels[0].area_m2 == Decimal(25000) and good.parcels[0].rights_holder == HOLDER
    assert good.parcels[0].contract_terms.commitments[0].output_value == Decimal(1_000_000)
    bad = validate_rows(HEADERS, [(2, row(area_m2="٢٥٠٠٠")), (3, row(parcel_id="YZ-2", committed_tax="-0.00")),
                                  (4, row(parcel_id="YZ-3", name="P\ud800"))])
    assert [(e.row, e.column) for e in bad.errors] == [(2, "area_m2"), (3, "committed_tax"), (4, "name")]


# Ids are checked for every filing and every row read back: plain ones take one regular-expression
# scan, any other the checks one by one. Both must give the same answer for every text.
_ID_EDGES = "aZ09-_.:中 \t\n\x00\x1f\x7f\x85\x9f\xa0\u3000\u2028\ud800\udfff/\\?#%"


@given(st.text(alphabet=_ID_EDGES, max_size=70) | st.text(max_size=70), st.sampled_from([8, 64, 200]))
def test_the_plain_id_path_gives_what_the_checks_one_by_one_give(value: str, max_length: int) -> None:
    assert identifier_problem(value, max_length=max_length) == _identifier_reason(value, max_length)


@pytest.mark.parametrize("keys", [["filing_id", "uscc"], ["a\ud800", "b"], ["a", "\udfffb"], []])
def test_any_surrogate_finds_one_in_any_of_the_texts(keys: list[str]) -> None:
    assert any_surrogate(keys) == any(surrogate_problem(k) is not None for k in keys)
