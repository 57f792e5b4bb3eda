"""Which credit records a grade or a case produces."""

from collections.abc import Callable
from datetime import UTC, datetime

from credit_ledger.domain.chain import Anchor, ChainedRecord, append, verify
from credit_ledger.domain.grades import GradeFact
from credit_ledger.domain.penetration import EnterpriseGraph, Relation, SubjectKind, penetrate
from credit_ledger.domain.records import (
    CaseFact,
    Polarity,
    RecordKind,
    record_for_case,
    records_for_grade,
)

T0 = datetime(2025, 6, 1, tzinfo=UTC)
MakeFact = Callable[..., GradeFact]
HOLDER, Y, Z = "91110302HOLDER0001", "91110302YYYYYY0002", "91110302ZZZZZZ0003"
GRAPH = EnterpriseGraph(
    names={HOLDER: "Holder Co.", Y: "Y Co.", Z: "Z Co."},
    responsible_persons={HOLDER: frozenset({"psn-7"}), Y: frozenset({"psn-7"}), Z: frozenset({"psn-7"})},
)


def test_a_final_grade_yields_a_record_for_every_penetrated_subject(make_fact: MakeFact) -> None:
    fact = make_fact("A", reasons=("output/ha 3.2e8 ≥ 3e8", "tax/ha 2.5e7 ≥ 2e7"))
    records = records_for_grade(fact, penetrate("P-0001", HOLDER, GRAPH))
    by_subject = {r.subject_ref: r for r in records}
    assert set(by_subject) == {HOLDER, "psn-7", Y, Z}
    assert by_subject["psn-7"].subject_kind is SubjectKind.PERSON
    assert by_subject[Y].relation is Relation.PERSON_AFFILIATE
    assert by_subject[Y].path_sentence.endswith(f"→ responsible person psn-7 → enterprise Y Co. ({Y})")
    assert "graded A (final, 2024" in by_subject[Y].reason and "output/ha" in by_subject[Y].reason
    assert "rights holder" in by_subject[HOLDER].reason
    assert all(r.polarity is Polarity.POSITIVE and r.kind is RecordKind.GRADE for r in records)


def test_a_provisional_grade_writes_nothing(make_fact: MakeFact) -> None:
    assert records_for_grade(make_fact("D", final=False), penetrate("P-0001", HOLDER, GRAPH)) == []


def test_c_and_d_are_negative_b_is_neutral(make_fact: MakeFact) -> None:
    reached = penetrate("P-0001", HOLDER, GRAPH)
    polarity = {g: records_for_grade(make_fact(g), reached)[0].polarity for g in "BCD"}
    assert polarity == {"B": Polarity.NEUTRAL, "C": Polarity.NEGATIVE, "D": Polarity.NEGATIVE}


def test_the_same_grading_delivered_twice_gets_the_same_record_ids(make_fact: MakeFact) -> None:
    reached = penetrate("P-0001", HOLDER, GRAPH)
    first = records_for_grade(make_fact("D", evaluation_id="ev-x"), reached)
    again = records_for_grade(make_fact("D", evaluation_id="ev-x"), reached)
    other = records_for_grade(make_fact("D", evaluation_id="ev-y"), reached)
    assert [r.record_id for r in first] == [r.record_id for r in again]
    assert not {r.record_id for r in first} & {r.record_id for r in other}


def test_records_can_be_chained_and_verified(make_fact: MakeFact) -> None:
    chain: list[ChainedRecord] = []
    for record in records_for_grade(make_fact("D"), penetrate("P-0001", HOLDER, GRAPH)):
        chain.append(append(Anchor(chain[-1].sequence, chain[-1].hash) if chain else None, record.payload()))
    assert verify(chain).ok and verify(chain).checked == 4


def test_a_rectified_case_is_a_positive_record_for_the_holder_only() -> None:
    fact = CaseFact("case-1", "enforcement", "rectified", "P-0001", HOLDER, T0, note="lease ended")
    record = record_for_case(fact, "Holder Co.")
    assert (record.subject_ref, record.relation) == (HOLDER, Relation.HOLDER)
    assert record.polarity is Polarity.POSITIVE
    assert record.reason == "enforcement case case-1 on parcel P-0001: rectified (lease ended)"
    opened = record_for_case(CaseFact("case-1", "enforcement", "opened", "P-0001", HOLDER, T0))
    assert opened.polarity is Polarity.NEUTRAL and opened.record_id != record.record_id


def test_a_case_passing_through_the_same_state_twice_gets_two_records() -> None:
    from datetime import timedelta

    first = record_for_case(CaseFact("case-2", "enforcement", "rectified", "P-0001", HOLDER, T0))
    again = record_for_case(CaseFact("case-2", "enforcement", "rectified", "P-0001", HOLDER,
                                     T0 + timedelta(days=30)))
    assert first.record_id != again.record_id
