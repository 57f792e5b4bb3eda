"""What one report of an enterprise does to its dated relations, and which relations a year counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credit_ledger.domain.enterprises import EnterpriseState, ResponsiblePerson, relation_changes
from credit_ledger.domain.penetration import RelationsCounted

H, S1, S2 = "91110302MA01A2B3C3", "91110115MA01G6H7JP", "91110108MA01K8L9M2"
ZHANG = ResponsiblePerson("psn-1", "张三", "legal_representative")
LI = ResponsiblePerson("psn-2", "李四", "director")


def test_a_dropped_person_ends_a_new_one_begins_and_a_new_post_is_corrected_in_place() -> None:
    promoted = ResponsiblePerson("psn-1", "张三", "actual_controller")
    wang = ResponsiblePerson("psn-3", "王五", "manager")
    changes = relation_changes({"psn-1": ZHANG, "psn-2": LI}, {},
                               EnterpriseState(H, "亦庄", "active", (promoted, wang)))
    assert changes.ended_persons == ("psn-2",)
    assert changes.begun_persons == (wang,)
    assert changes.corrected_persons == (promoted,)


def test_a_changed_stake_ends_one_period_and_begins_another_and_a_same_report_changes_nothing() -> None:
    state = EnterpriseState(H, "亦庄", "active", (ZHANG,), ((S1, Decimal("10")), (S2, Decimal("60"))))
    changes = relation_changes({"psn-1": ZHANG}, {S1: Decimal("60")}, state)
    assert changes.ended_links == (S1,)
    assert set(changes.begun_links) == {(S1, Decimal("10")), (S2, Decimal("60"))}
    assert relation_changes({"psn-1": ZHANG}, {S1: Decimal("10"), S2: Decimal("60")}, state) == type(changes)()


def test_a_year_counts_relations_valid_on_any_of_its_days_or_on_its_last() -> None:
    assert RelationsCounted.ANY_DAY.window(2025) == (date(2025, 1, 1), date(2025, 12, 31))
    assert RelationsCounted.LAST_DAY.window(2025) == (date(2025, 12, 31), date(2025, 12, 31))
