"""The penetration chain 地-企-责任人-责任人关联企业: who is reached from a parcel, and how."""

from decimal import Decimal

from credit_ledger.domain.penetration import EnterpriseGraph, EquityRule, Path, Relation, SubjectKind, penetrate

HOLDER, Y, Z, W, PARENT = "91110302HOLDER0001", "91110302YYYYYY0002", "91110302ZZZZZZ0003", \
    "91110302WWWWWW0004", "91110302PARENT0005"


def graph() -> EnterpriseGraph:
    return EnterpriseGraph(
        names={HOLDER: "亦庄精密制造有限公司", Y: "Y Co.", Z: "Z Co.", W: "W Co.", PARENT: "Parent Group"},
        responsible_persons={HOLDER: frozenset({"psn-7"}), Y: frozenset({"psn-7"}),
                             Z: frozenset({"psn-7", "psn-9"}), W: frozenset({"psn-9"})},
        equity_links=frozenset({(PARENT, HOLDER)}),
    )


def by_ref(reached: list) -> dict:
    return {r.ref: r for r in reached}


def test_holder_person_and_the_persons_other_enterprises_are_reached_with_their_paths() -> None:
    reached = by_ref(penetrate("P-0001", HOLDER, graph()))
    assert set(reached) == {HOLDER, "psn-7", Y, Z, PARENT}
    assert reached[HOLDER].relation is Relation.HOLDER
    assert reached["psn-7"].kind is SubjectKind.PERSON
    assert reached["psn-7"].relation is Relation.RESPONSIBLE_PERSON
    assert reached[Y].relation is Relation.PERSON_AFFILIATE
    assert reached[Y].path.sentence() == (
        f"parcel P-0001 → rights holder 亦庄精密制造有限公司 ({HOLDER}) → responsible person psn-7 "
        f"→ enterprise Y Co. ({Y})"
    )
    assert [s["ref"] for s in reached[Y].path.as_data()] == ["P-0001", HOLDER, "psn-7", Y]
    assert [s["kind"] for s in reached[Y].path.as_data()] == ["parcel", "enterprise", "person", "enterprise"]


def test_the_chain_stops_at_the_persons_enterprises() -> None:
    # Z shares a second person psn-9 with W; W is two persons away from the holder: not reached.
    assert W not in by_ref(penetrate("P-0001", HOLDER, graph()))


def test_equity_links_reach_in_both_directions() -> None:
    assert by_ref(penetrate("P-0001", HOLDER, graph()))[PARENT].relation is Relation.EQUITY_LINKED
    from_parent = by_ref(penetrate("P-0002", PARENT, graph()))
    assert from_parent[HOLDER].relation is Relation.EQUITY_LINKED
    assert from_parent[HOLDER].path.sentence() == (
        f"parcel P-0002 → rights holder Parent Group ({PARENT}) → equity-linked enterprise "
        f"亦庄精密制造有限公司 ({HOLDER})"
    )


def test_an_enterprise_reached_two_ways_appears_once_with_both_paths_shortest_first() -> None:
    g = EnterpriseGraph(responsible_persons={HOLDER: frozenset({"psn-7"}), Y: frozenset({"psn-7"})},
                        equity_links=frozenset({(HOLDER, Y)}))
    reached = penetrate("P-0003", HOLDER, g)
    ys = [r for r in reached if r.ref == Y]
    assert len(ys) == 1
    assert ys[0].relation is Relation.EQUITY_LINKED
    assert [len(p.steps) for p in ys[0].paths] == [3, 4]


def test_a_holder_without_persons_or_links_reaches_only_itself() -> None:
    reached = penetrate("P-0004", "91110302ALONE00006", EnterpriseGraph())
    assert [(r.ref, r.relation) for r in reached] == [("91110302ALONE00006", Relation.HOLDER)]
    assert reached[0].path.sentence() == "parcel P-0004 → rights holder 91110302ALONE00006"


def test_the_holder_is_never_listed_as_its_own_affiliate() -> None:
    reached = penetrate("P-0001", HOLDER, graph())
    assert [r.ref for r in reached].count(HOLDER) == 1


def test_a_stored_path_reads_back_to_the_same_hops_with_persons_by_token_only() -> None:
    reached = {r.ref: r for r in penetrate("P-0001", HOLDER, graph())}
    path = reached[Y].path
    assert Path.from_data(path.as_data()) == path
    assert path.hops() == ["parcel P-0001", f"rights holder 亦庄精密制造有限公司 ({HOLDER})",
                           "responsible person psn-7", f"enterprise Y Co. ({Y})"]


def _stakes() -> EnterpriseGraph:
    # PARENT holds 60 % of the holder; the holder holds 10 % of Y.
    return EnterpriseGraph(
        names={HOLDER: "亦庄精密制造有限公司", Y: "Y Co.", PARENT: "Parent Group"},
        equity_links=frozenset({(PARENT, HOLDER), (HOLDER, Y)}),
        equity_shares={(PARENT, HOLDER): Decimal("60.000000"), (HOLDER, Y): Decimal("10")},
    )


def test_by_default_any_stake_links_and_the_path_names_it() -> None:
    reached = by_ref(penetrate("P-0005", HOLDER, _stakes()))
    assert {PARENT, Y} <= set(reached)
    assert reached[Y].path.sentence().endswith(f"equity-linked enterprise Y Co. ({Y}) [10% equity]")


def test_a_stake_below_the_minimum_makes_no_related_party_and_the_path_shows_the_setting() -> None:
    reached = by_ref(penetrate("P-0005", HOLDER, _stakes(), EquityRule(Decimal("25"))))
    assert Y not in reached
    assert reached[PARENT].path.sentence().endswith(
        f"equity-linked enterprise Parent Group ({PARENT}) [60% equity; links count from 25%]")
    # The investee side reaches its shareholder by the same stake.
    from_parent = by_ref(penetrate("P-0006", PARENT, _stakes(), EquityRule(Decimal("60"))))
    assert from_parent[HOLDER].relation is Relation.EQUITY_LINKED


def test_a_link_of_unknown_share_counts_whatever_the_minimum() -> None:
    graph = EnterpriseGraph(equity_links=frozenset({(PARENT, HOLDER)}))
    assert PARENT in by_ref(penetrate("P-0007", HOLDER, graph, EquityRule(Decimal("50"))))
