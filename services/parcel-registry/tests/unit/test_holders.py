"""Dated holder periods: a transfer closes the current period and opens the next; the holder of
a day is read from them."""

from __future__ import annotations

from datetime import date

import pytest

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.errors import ActConflict, DomainValidationError
from parcel_registry.domain.history import Act, require_reason
from parcel_registry.domain.holders import HolderPeriod, corrected, first_periods, holder_on, transferred

OLD = with_check_character("91110115MA0000011")
NEW = with_check_character("91110115MA0000012")
TODAY = date(2026, 6, 1)


def test_a_transfer_closes_the_current_period_on_the_day_the_next_begins() -> None:
    periods = transferred(first_periods(OLD), NEW, date(2026, 3, 1), "京(2026)开发区不动产权第1号", TODAY)
    assert periods == (HolderPeriod(OLD, None, date(2026, 3, 1)),
                       HolderPeriod(NEW, date(2026, 3, 1), None, "京(2026)开发区不动产权第1号"))
    assert holder_on(periods, date(2025, 12, 31)) == OLD
    assert holder_on(periods, date(2026, 2, 28)) == OLD
    assert holder_on(periods, date(2026, 3, 1)) == NEW


def test_a_transfer_must_name_a_new_holder_and_a_day_after_the_current_period_began_and_not_ahead() -> None:
    periods = transferred(first_periods(OLD), NEW, date(2026, 3, 1), "doc", TODAY)
    with pytest.raises(DomainValidationError) as refused:
        transferred(periods, NEW, date(2026, 3, 1), "doc", TODAY)
    assert {e.field for e in refused.value.errors} == {"new_holder", "effective_on"}
    with pytest.raises(DomainValidationError) as ahead:
        transferred(first_periods(OLD), NEW, date(2026, 6, 2), "doc", TODAY)
    assert [e.field for e in ahead.value.errors] == ["effective_on"]


def test_a_corrected_holder_replaces_only_the_current_period() -> None:
    periods = transferred(first_periods(OLD), NEW, date(2026, 3, 1), "doc", TODAY)
    fixed = corrected(periods, OLD)
    assert [p.uscc for p in fixed] == [OLD, OLD] and fixed[1].valid_from == date(2026, 3, 1)


def test_a_change_of_area_holder_category_or_flags_needs_a_reason_other_changes_do_not() -> None:
    act = Act("clerk", None, None)  # type: ignore[arg-type]  # when is not read here
    with pytest.raises(ActConflict) as refused:
        require_reason({"area_m2": {"from": "1", "to": "2"}, "name": {}}, act)
    assert [e.field for e in refused.value.errors] == ["reason"]
    require_reason({"name": {"from": "a", "to": "b"}}, act)
    require_reason({"flags": {}}, Act("clerk", None, "court ruling"))  # type: ignore[arg-type]
