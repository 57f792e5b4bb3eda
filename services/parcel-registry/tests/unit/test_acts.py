"""Split (分宗), merge (合宗), end of right (收回) and change of use as pure rules: who ends, who is
made, and what the ledger's state rules out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain import acts
from parcel_registry.domain.acts import NewParcel
from parcel_registry.domain.errors import ActConflict, DomainValidationError
from parcel_registry.domain.history import parcel_facts
from parcel_registry.domain.parcels import Ending, FlagKind, Parcel, ParcelCategory, ParcelFlag

HOLDER = with_check_character("91110115MA0000021")
OTHER = with_check_character("91110115MA0000022")
TODAY = date(2026, 6, 1)
ON = date(2026, 3, 1)
DOC = "京(2026)开发区不动产权第0000031号"
FLAG = ParcelFlag(FlagKind.LITIGATION, date(2025, 1, 1), "court:(2025)京0115民初1号")


def parcel(pid: str = "P-1", area: str = "30000", **changes: object) -> Parcel:
    base: dict[str, object] = {"parcel_id": pid, "name": pid, "jurisdiction": "ronghua", "area_m2": Decimal(area),
                               "category": ParcelCategory.SELF_USE, "rights_holder": HOLDER}
    return Parcel(**(base | changes))  # type: ignore[arg-type]


def children(*areas: str) -> list[NewParcel]:
    return [NewParcel(f"P-1-{i}", f"piece {i}", Decimal(a)) for i, a in enumerate(areas, 1)]


def test_a_split_ends_the_parent_with_its_successors_and_the_children_name_it() -> None:
    parent = parcel(flags=(FLAG,))
    ended, made = acts.split(parent, children("10000", "20000.0"), ON, DOC, TODAY, set())
    assert ended.ending == Ending(ON, "split", DOC, ("P-1-1", "P-1-2"))
    assert (ended.ended_on, ended.successors, ended.area_m2) == (ON, ("P-1-1", "P-1-2"), Decimal(30000))
    assert [(c.parcel_id, c.area_m2, c.predecessors) for c in made] == [
        ("P-1-1", Decimal(10000), ("P-1",)), ("P-1-2", Decimal("20000.0"), ("P-1",))]
    for child in made:  # inherited: street, category, holder (from the act's day) and the land's flags
        assert (child.jurisdiction, child.category, child.rights_holder, child.flags) == (
            parent.jurisdiction, parent.category, HOLDER, (FLAG,))
        assert child.holders[0].valid_from == ON and child.holders[0].document_ref == DOC
    assert acts.split_requested(ended, children("10000", "20000"), ON, DOC)
    assert not acts.split_requested(ended, children("10000", "20000"), ON, "another document")


def test_a_split_whose_areas_do_not_sum_says_the_sum_and_the_parents_area() -> None:
    with pytest.raises(ActConflict) as refused:  # weighed against the parcel on file
        acts.split(parcel(), children("10000", "19999.5"), ON, DOC, TODAY, set())
    [error] = refused.value.errors
    assert error.field == "children[].area_m2"
    assert error.reason == "the areas sum to 29999.5 m², not the parcel's 30000 m²"


def test_a_split_needs_two_new_distinct_ids_and_no_day_ahead() -> None:
    with pytest.raises(DomainValidationError) as one:
        acts.split(parcel(), children("30000"), ON, DOC, TODAY, set())
    assert [e.field for e in one.value.errors] == ["children"]
    twice = [NewParcel("P-2", "a", Decimal(1)), NewParcel("P-2", "b", Decimal(29999)), NewParcel("P-1", "c", Decimal(0))]
    with pytest.raises(DomainValidationError) as duplicate:
        acts.split(parcel(), twice, ON, DOC, TODAY, set())
    assert [e.field for e in duplicate.value.errors] == ["children[1].parcel_id", "children[2].parcel_id"]
    with pytest.raises(DomainValidationError) as ahead:
        acts.split(parcel(), children("10000", "20000"), date(2026, 6, 2), DOC, TODAY, set())
    assert [e.field for e in ahead.value.errors] == ["effective_on"]
    with pytest.raises(ActConflict) as taken:
        acts.split(parcel(), children("10000", "20000"), ON, DOC, TODAY, {"P-1-2"})
    assert [(e.field, e.reason) for e in taken.value.errors] == [
        ("children[1].parcel_id", "parcel P-1-2 is already in the ledger")]


def test_an_ended_parcel_takes_no_further_act_and_the_conflict_says_how_it_ended() -> None:
    ended, _ = acts.split(parcel(), children("10000", "20000"), ON, DOC, TODAY, set())
    for act in (lambda: acts.split(ended, children("15000", "15000"), ON, "x", TODAY, set()),
                lambda: acts.end_of_right(ended, ON, DOC, TODAY),
                lambda: acts.use_changed(ended, ParcelCategory.APPROVED_PARK, ON, TODAY)):
        with pytest.raises(ActConflict) as refused:
            act()
        assert refused.value.errors[0].field == "parcel_id"
        assert refused.value.errors[0].reason == (
            "parcel P-1 ended on 2026-03-01 (split into P-1-1, P-1-2): an ended parcel takes no further act")


def test_a_merge_makes_one_parcel_of_their_summed_area_and_ends_each_with_it_as_successor() -> None:
    a, b = parcel("A", "1000.5", flags=(FLAG,)), parcel("B", "2000", flags=(FLAG,))
    ended, made = acts.merge([a, b], NewParcel("AB", "merged", Decimal(0)), ON, DOC, TODAY, set())
    assert (made.area_m2, made.predecessors, made.flags, made.rights_holder) == (
        Decimal("3000.5"), ("A", "B"), (FLAG,), HOLDER)
    assert [(p.parcel_id, p.ending) for p in ended] == [
        ("A", Ending(ON, "merge", DOC, ("AB",))), ("B", Ending(ON, "merge", DOC, ("AB",)))]
    assert acts.merge_requested(ended, NewParcel("AB", "merged", Decimal(0)), ON, DOC)


def test_only_parcels_of_one_holder_street_and_category_merge_into_a_new_id() -> None:
    new = NewParcel("AB", "merged", Decimal(0))
    with pytest.raises(ActConflict) as holders:
        acts.merge([parcel("A"), parcel("B", rights_holder=OTHER)], new, ON, DOC, TODAY, set())
    assert [(e.field, e.reason) for e in holders.value.errors] == [
        ("parcel_ids", "the parcels differ in rights holder: only parcels of one rights holder are merged")]
    with pytest.raises(ActConflict) as category:
        acts.merge([parcel("A"), parcel("B", category=ParcelCategory.APPROVED_PARK)], new, ON, DOC, TODAY, set())
    assert "category" in category.value.errors[0].reason
    with pytest.raises(ActConflict) as taken:
        acts.merge([parcel("A"), parcel("B")], new, ON, DOC, TODAY, {"AB"})
    assert [e.field for e in taken.value.errors] == ["new_parcel[0].parcel_id"]
    with pytest.raises(DomainValidationError) as once:
        acts.merge([parcel("A"), parcel("A")], new, ON, DOC, TODAY, set())
    assert [e.field for e in once.value.errors] == ["parcel_ids", "parcel_ids[1]"]


def test_an_end_of_right_ends_the_parcel_without_successors_and_a_use_change_sets_the_category() -> None:
    ended = acts.end_of_right(parcel(), ON, DOC, TODAY)
    assert (ended.ended_on, ended.successors, ended.ending and ended.ending.act) == (ON, (), "end_of_right")
    assert acts.end_requested(ended, ON, DOC) and not acts.end_requested(ended, date(2026, 3, 2), DOC)
    used = acts.use_changed(parcel(), ParcelCategory.RENEWAL_PARK, ON, TODAY)
    assert used.category is ParcelCategory.RENEWAL_PARK
    with pytest.raises(DomainValidationError):
        acts.use_changed(parcel(), ParcelCategory.RENEWAL_PARK, date(2026, 6, 2), TODAY)


def test_lineage_is_a_fact_of_the_history_only_where_there_is_lineage() -> None:
    assert not {"predecessors", "ended_on", "successors"} & parcel_facts(parcel()).keys()
    ended, [child, _] = acts.split(parcel(), children("10000", "20000"), ON, DOC, TODAY, set())
    facts = parcel_facts(ended)
    assert (facts["ended_on"], facts["ended_by"], facts["successors"]) == ("2026-03-01", "split", ["P-1-1", "P-1-2"])
    assert parcel_facts(child)["predecessors"] == ["P-1"]


def test_an_act_is_not_dated_before_the_current_holders_period_began() -> None:
    held = parcel(holders=())
    later = acts.split(held, children("10000", "20000"), ON, DOC, TODAY, set())[1][0]  # held from ON
    with pytest.raises(ActConflict) as refused:
        acts.end_of_right(later, date(2026, 2, 28), DOC, TODAY)
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("effective_on", "must not be before the day the current holder's period began (2026-03-01)")]
    merged, _ = acts.merge([parcel("A"), parcel("B")], NewParcel("AB", "merged", Decimal(0)), ON, DOC, TODAY, set())
    assert acts.ended_reason(merged[0]) == (
        "parcel A ended on 2026-03-01 (merged into AB): an ended parcel takes no further act")
    assert acts.ended_reason(parcel()) is None
