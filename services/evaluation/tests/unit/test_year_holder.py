"""Who answers for a graded year when the land-use right changed hands (转让) during it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from evaluation.domain.holders import HolderSpan, year_holder
from evaluation.domain.projection import LeaseRecord, ParcelRecord, ParcelSources, assemble_facts, tenant_pairs
from evaluation.domain.ruleset import YearHolder

OLD, NEW, THIRD = "91110302MA01A2B3C3", "91110115MA01G6H7JP", "91110108MA01K8L9M2"
# Transferred to NEW from 2026-03-01: NEW holds 306 days of 2026, OLD 59.
TRANSFERRED = (HolderSpan(OLD, None, date(2026, 3, 1)), HolderSpan(NEW, date(2026, 3, 1), None))


@pytest.mark.parametrize(("year", "rule", "expected"), [
    (2025, YearHolder.LAST_DAY, OLD),  # the years before the transfer stay with the old holder
    (2025, YearHolder.FIRST_DAY, OLD),
    (2025, YearHolder.LONGEST_HELD, OLD),
    (2026, YearHolder.LAST_DAY, NEW),
    (2026, YearHolder.FIRST_DAY, OLD),
    (2026, YearHolder.LONGEST_HELD, NEW),
    (2027, YearHolder.FIRST_DAY, NEW),  # the year after: the new holder whatever the rule
])
def test_the_year_of_a_transfer_goes_to_the_holder_the_ruleset_names_and_others_to_their_own(
        year: int, rule: YearHolder, expected: str) -> None:
    assert year_holder(TRANSFERRED, year, rule, NEW) == expected


def test_a_tie_in_days_held_goes_to_the_later_holder() -> None:
    # 2026-07-02 splits 2026 into 182 and 183 days; 2024 (a leap year) at 07-02 into 183 and 183.
    leap = (HolderSpan(OLD, None, date(2024, 7, 2)), HolderSpan(NEW, date(2024, 7, 2), None))
    assert year_holder(leap, 2024, YearHolder.LONGEST_HELD, NEW) == NEW
    three = (HolderSpan(OLD, None, date(2026, 2, 1)), HolderSpan(THIRD, date(2026, 2, 1), date(2026, 12, 1)),
             HolderSpan(NEW, date(2026, 12, 1), None))
    assert year_holder(three, 2026, YearHolder.LONGEST_HELD, NEW) == THIRD
    assert year_holder(three, 2026, YearHolder.LAST_DAY, NEW) == NEW


def test_without_periods_the_current_holder_answers_and_before_the_first_period_the_first_holder() -> None:
    assert year_holder((), 2025, YearHolder.LAST_DAY, NEW) == NEW
    began = (HolderSpan(NEW, date(2026, 3, 1), None),)  # a child of a split: first holder from the act
    assert year_holder(began, 2025, YearHolder.LAST_DAY, OLD) == NEW


def test_the_facts_of_a_year_name_its_holder_and_link_tenants_against_every_holder_of_the_year() -> None:
    parcel = ParcelRecord("P-1", "荣华街道", "self_use", Decimal(10_000), NEW, holders=TRANSFERRED)
    sources = ParcelSources(parcel)
    today = date(2026, 12, 5)
    assert assemble_facts(sources, 2025, lambda a, b: False, today).holder_uscc == OLD
    assert assemble_facts(sources, 2026, lambda a, b: False, today).holder_uscc == NEW
    assert assemble_facts(sources, 2026, lambda a, b: False, today, YearHolder.FIRST_DAY).holder_uscc == OLD
    leased = ParcelSources(parcel, leases=(LeaseRecord("L-1", THIRD, False, False),))
    assert tenant_pairs([leased], 2026) == {(OLD, THIRD), (NEW, THIRD)}
    assert tenant_pairs([leased], 2027) == {(NEW, THIRD)}
