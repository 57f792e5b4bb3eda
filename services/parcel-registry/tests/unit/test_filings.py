from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.filings import (
    FilingHistory,
    Outcome,
    RevenueFiling,
    current_revisions,
    decide,
)

X = with_check_character("91110115MA0000001")


def filing(output: str = "1000.00", revision: int = 0, **kw: object) -> RevenueFiling:
    fields: dict[str, object] = {
        "filing_id": "TAX-1",
        "uscc": X,
        "year": 2024,
        "output_value": Decimal(output),
        "tax_paid": Decimal("100"),
        "revision": revision,
    } | kw
    return RevenueFiling(**fields)  # type: ignore[arg-type]


def test_first_filing_is_accepted() -> None:
    assert decide([], filing()).outcome is Outcome.ACCEPTED


def test_same_content_again_is_a_no_op_even_with_other_decimal_spelling() -> None:
    assert decide([filing("1000.00")], filing("1000")).outcome is Outcome.DUPLICATE


def test_different_content_without_a_revision_is_a_conflict() -> None:
    decision = decide([filing("1000")], filing("1200"))
    assert decision.outcome is Outcome.CONFLICT
    assert "send revision 1" in decision.reason


def test_correction_must_be_exactly_the_next_revision() -> None:
    on_record = [filing("1000"), filing("1100", 1)]
    assert decide(on_record, filing("1200", 2)).outcome is Outcome.REVISED
    skipped = decide(on_record, filing("1200", 3))
    assert skipped.outcome is Outcome.CONFLICT and "must be revision 2, not 3" in skipped.reason


def test_late_retry_of_an_earlier_revision_changes_nothing() -> None:
    on_record = [filing("1000"), filing("1100", 1)]
    assert decide(on_record, filing("1000", 0)).outcome is Outcome.DUPLICATE
    assert decide(on_record, filing("999", 0)).outcome is Outcome.CONFLICT


def test_a_correction_of_nothing_is_refused() -> None:
    decision = decide([], filing(revision=1))
    assert decision.outcome is Outcome.CONFLICT and "not on record" in decision.reason


def test_history_decides_a_batch_line_by_line() -> None:
    history = FilingHistory()
    outcomes = [
        history.offer(f).outcome
        for f in (filing("1000"), filing("1000"), filing("1500", 1), filing("1600"), filing("1500", 1))
    ]
    assert outcomes == [
        Outcome.ACCEPTED,
        Outcome.DUPLICATE,
        Outcome.REVISED,
        Outcome.CONFLICT,
        Outcome.DUPLICATE,
    ]
    latest = history.latest("TAX-1")
    assert latest is not None and latest.output_value == Decimal(1500)


@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 2), st.sampled_from(["1", "2"])), max_size=12))
def test_history_decides_as_decide_does_against_everything_accepted_before(
    offers: list[tuple[str, int, str]],
) -> None:
    history, accepted = FilingHistory(), []
    for filing_id, revision, output in offers:
        incoming = filing(output, revision, filing_id=filing_id)
        expected = decide(accepted, incoming)
        assert history.offer(incoming) == expected
        if expected.writes:
            accepted.append(incoming)


def test_only_the_latest_revision_counts() -> None:
    other = filing("5", filing_id="TAX-2")
    assert current_revisions([filing("1000"), filing("1100", 1), other]) == [filing("1100", 1), other]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"output_value": Decimal("-1")}, "output_value"),
        ({"tax_paid": Decimal("0.001")}, "tax_paid"),
        ({"quarter": 5}, "quarter"),
        ({"quarter": 0}, "quarter"),
        ({"year": 1800}, "year"),
        ({"revision": -1}, "revision"),
        ({"uscc": X[:-1] + ("0" if X[-1] != "0" else "1")}, "uscc"),
        ({"filing_id": "TAX\x001"}, "filing_id"),
        ({"parcel_id": ""}, "parcel_id"),
    ],
)
def test_bad_filings_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(DomainValidationError) as raised:
        filing(**changes)  # type: ignore[arg-type]
    assert [e.field for e in raised.value.errors] == [field]


def test_zero_amounts_are_allowed() -> None:
    assert filing("0", tax_paid=Decimal(0)).output_value == 0
