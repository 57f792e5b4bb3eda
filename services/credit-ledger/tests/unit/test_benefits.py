"""The benefits register: grants from final grades, immediate revocation on any downgrade."""

from collections.abc import Callable, Mapping

from hypothesis import given
from hypothesis import strategies as st

from credit_ledger.domain.benefits import (
    Action,
    BenefitChange,
    EnterpriseBenefits,
    ReachedEnterprise,
    decide,
)
from credit_ledger.domain.entitlements import Entitlement as E
from credit_ledger.domain.grades import GradeFact
from credit_ledger.domain.penetration import Relation

HOLDER, Y, Z, PARENT = "91110302HOLDER0001", "91110302YYYYYY0002", "91110302ZZZZZZ0003", "91110302PARENT0005"
MakeFact = Callable[..., GradeFact]
Register = dict[str, EnterpriseBenefits]


def ties(holder: str = HOLDER, *related: tuple[str, Relation]) -> list[ReachedEnterprise]:
    return [ReachedEnterprise(holder, Relation.HOLDER, f"parcel → rights holder {holder}")] + [
        ReachedEnterprise(u, rel, f"parcel → … → {u}") for u, rel in related
    ]


DEFAULT_TIES = ties(HOLDER, (Y, Relation.PERSON_AFFILIATE), (Z, Relation.PERSON_AFFILIATE),
                    (PARENT, Relation.EQUITY_LINKED))


def run(
    register: Register, fact: GradeFact, reached: list[ReachedEnterprise] = DEFAULT_TIES
) -> list[BenefitChange]:
    decision = decide(register, fact, reached)
    register.update(decision.register)
    return decision.changes


def held(register: Mapping[str, EnterpriseBenefits], uscc: str) -> set[E]:
    entry = register.get(uscc)
    return set(entry.held) if entry else set()


def test_a_final_a_puts_holder_and_related_parties_on_the_green_channel_with_incentive_priority(
        make_fact: MakeFact) -> None:
    register: Register = {}
    changes = run(register, make_fact("A"))
    assert held(register, HOLDER) == {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY}
    for related in (Y, Z, PARENT):
        assert held(register, related) == {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY}
    assert all(c.action is Action.GRANTED and c.grounds == ("P-0001",) for c in changes)
    holder_green = register[HOLDER].held[E.GREEN_CHANNEL]
    assert "parcel P-0001 graded A (final, 2024), as its rights holder" in holder_green.reason
    assert "as enterprise: parcel → … → " + Y in register[Y].held[E.GREEN_CHANNEL].reason


def test_each_grade_gives_the_holder_its_measure(make_fact: MakeFact) -> None:
    expected = {"B": {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.SERVICE_GUIDANCE}, "C": {E.RENEWAL_GUIDANCE}, "D": {E.RESTRICTED}}
    for grade, entitlements in expected.items():
        register: Register = {}
        run(register, make_fact(grade), ties())
        assert held(register, HOLDER) == entitlements, grade


def test_a_provisional_grade_grants_nothing(make_fact: MakeFact) -> None:
    register: Register = {}
    assert run(register, make_fact("A", final=False)) == []
    assert held(register, HOLDER) == set()


def test_a_provisional_downgrade_to_d_revokes_every_related_partys_green_channel(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A"))
    changes = run(register, make_fact("D", final=False, reasons=("in litigation",)))
    revoked = {(c.uscc, c.entitlement) for c in changes if c.action is Action.REVOKED}
    listed = {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY}
    assert revoked == {(u, e) for u in (HOLDER, Y, Z, PARENT) for e in listed}
    y_change = next(c for c in changes if c.uscc == Y)
    assert y_change.reason.startswith("revoked: parcel P-0001 graded D (provisional)")
    # restriction is an entitlement decision and waits for the final grade
    assert all(held(register, u) == set() for u in (HOLDER, Y, Z, PARENT))
    run(register, make_fact("D"))
    assert all(held(register, u) == {E.RESTRICTED} for u in (HOLDER, Y, Z, PARENT))


def test_a_provisional_b_of_a_new_year_leaves_the_last_final_as_benefits(make_fact: MakeFact) -> None:
    """Regression: each parcel is provisionally B while its year's filings are still coming in; the
    A holder's incentive priority stood withheld behind that B until the year was final."""
    register: Register = {}
    run(register, make_fact("A"), ties())
    before = held(register, HOLDER)
    assert E.INCENTIVE_PRIORITY in before
    assert run(register, make_fact("B", final=False, minutes=5), ties()) == []
    assert held(register, HOLDER) == before
    changes = run(register, make_fact("C", final=False, minutes=10, reasons=("unauthorised lease",)), ties())
    assert {c.entitlement for c in changes if c.action is Action.REVOKED} >= {E.INCENTIVE_PRIORITY, E.GREEN_CHANNEL}


def test_a_final_downgrade_a_to_b_takes_incentive_priority_keeps_green_channel(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A"), ties())
    since = register[HOLDER].held[E.GREEN_CHANNEL].since
    changes = run(register, make_fact("B"), ties())
    actions = {(c.entitlement, c.action) for c in changes}
    assert actions == {(E.INCENTIVE_PRIORITY, Action.REVOKED), (E.SERVICE_GUIDANCE, Action.GRANTED),
                       (E.GREEN_CHANNEL, Action.UPDATED), (E.KEY_SERVICE_LIST, Action.UPDATED)}
    assert register[HOLDER].held[E.GREEN_CHANNEL].since == since


def test_duplicate_and_older_events_change_nothing(make_fact: MakeFact) -> None:
    register: Register = {}
    fact = make_fact("A", minutes=10)
    run(register, fact)
    snapshot = dict(register)
    assert run(register, fact) == []
    assert run(register, make_fact("D", minutes=5)) == []
    assert register == snapshot


def test_a_provisional_upgrade_does_not_lift_a_final_restriction(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("D"))
    assert run(register, make_fact("B", final=False)) == []
    run(register, make_fact("B"))
    assert held(register, HOLDER) == {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.SERVICE_GUIDANCE}
    assert held(register, Y) == {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL}


def test_a_d_on_any_parcel_an_enterprise_is_tied_to_restricts_it(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A", parcel="P-0001", holder=Y), ties(Y))
    run(register, make_fact("D", parcel="P-0002"), ties(HOLDER, (Y, Relation.PERSON_AFFILIATE)))
    assert held(register, Y) == {E.RESTRICTED}
    assert register[Y].held[E.RESTRICTED].grounds == ("P-0002",)


def test_a_related_partys_c_does_not_cost_the_green_channel_but_its_own_c_does(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A", parcel="P-0001", holder=Y), ties(Y))
    run(register, make_fact("C", parcel="P-0002"), ties(HOLDER, (Y, Relation.PERSON_AFFILIATE)))
    assert held(register, Y) == {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY}
    run(register, make_fact("C", parcel="P-0003", holder=Y), ties(Y))
    assert held(register, Y) == {E.RENEWAL_GUIDANCE}


def test_the_green_channel_rests_on_the_remaining_parcel_when_one_is_lost(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A", parcel="P-0001"), ties())
    run(register, make_fact("B", parcel="P-0002"), ties())
    assert register[HOLDER].held[E.GREEN_CHANNEL].grounds == ("P-0001", "P-0002")
    run(register, make_fact("C", parcel="P-0002", holder=Y), ties(Y))  # P-0002 changed hands
    assert register[HOLDER].held[E.GREEN_CHANNEL].grounds == ("P-0001",)
    assert E.SERVICE_GUIDANCE not in held(register, HOLDER)


def test_an_enterprise_whose_link_ended_loses_what_it_had_through_that_parcel(make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A"))
    changes = run(register, make_fact("A"), ties(HOLDER, (Y, Relation.PERSON_AFFILIATE)))
    lost = [c for c in changes if c.action is Action.REVOKED]
    assert {c.uscc for c in lost} == {Z, PARENT}
    assert lost[0].reason == "revoked: no longer related to parcel P-0001"


@given(st.lists(st.tuples(st.sampled_from("ABCD"), st.booleans(), st.sampled_from(["P-1", "P-2"])),
                min_size=1, max_size=12))
def test_every_held_entitlement_rests_on_final_grades_and_restriction_excludes_perks(
    events: list[tuple[str, bool, str]],
) -> None:
    from datetime import UTC, datetime, timedelta

    from credit_ledger.domain.grades import Grade, GradeStatus

    register: Register = {}
    for n, (grade, final, parcel) in enumerate(events):
        fact = GradeFact(f"ev-{n}", parcel, HOLDER, Grade(grade),
                         GradeStatus.FINAL if final else GradeStatus.PROVISIONAL, 2024, "r", (),
                         datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n))
        run(register, fact, ties(HOLDER, (Y, Relation.PERSON_AFFILIATE)))
        for uscc in (HOLDER, Y):
            entry = register.get(uscc)
            if entry is None:
                continue
            perks = {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY} & set(entry.held)
            assert not (perks and E.RESTRICTED in entry.held)
            for h in entry.held.values():
                assert all(entry.standings[p].final_grade is not None for p in h.grounds)
            pending_block = [s for s in entry.standings.values() if s.pending_grade is Grade.D
                             or (s.pending_grade is Grade.C and s.relation is Relation.HOLDER)]
            if pending_block:
                assert E.GREEN_CHANNEL not in entry.held


def test_after_a_transfer_the_old_holders_benefits_rest_on_its_year_until_the_new_holders_year_is_final(
        make_fact: MakeFact) -> None:
    new = "91110302NEWHLD0006"
    register: Register = {}
    run(register, make_fact("A", year=2025), ties(HOLDER, (Y, Relation.PERSON_AFFILIATE)))
    # 2026 is the new holder's (转让 from 2026-03-01): its provisional grades do not reach the old one.
    run(register, make_fact("D", holder=new, year=2026, final=False), ties(new))
    assert E.INCENTIVE_PRIORITY in held(register, HOLDER) and E.GREEN_CHANNEL in held(register, Y)
    assert not held(register, new)  # a provisional D grants nothing

    changes = run(register, make_fact("A", holder=new, year=2026), ties(new))
    assert held(register, new) == {E.KEY_SERVICE_LIST, E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY}
    assert not held(register, HOLDER) and not held(register, Y)  # 2026's final grade is not theirs
    assert {c.uscc for c in changes if c.action is Action.REVOKED} == {HOLDER, Y}


def test_a_later_years_provisional_grade_that_still_reaches_an_enterprise_acts_on_it_at_once(
        make_fact: MakeFact) -> None:
    register: Register = {}
    run(register, make_fact("A", year=2025))
    run(register, make_fact("D", year=2026, final=False))
    assert not held(register, HOLDER) & {E.GREEN_CHANNEL, E.INCENTIVE_PRIORITY}
