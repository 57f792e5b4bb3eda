from decimal import Decimal

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.equity import (
    Direction,
    EquityGraph,
    EquityRules,
    Holding,
    LinkKind,
    equity_link,
    related_parties,
)
from parcel_registry.domain.related import Party


def code(n: int) -> str:
    return with_check_character(f"91110115MA{n:07d}")


A, B, C, D, E, F = (code(n) for n in range(1, 7))
RULES = EquityRules(max_depth=3)


def holds(holder: str, company: str, pct: int = 50) -> Holding:
    return Holding(Party.enterprise(holder), company, Decimal(pct))


def person_holds(token: str, company: str, pct: int = 50) -> Holding:
    return Holding(Party.person(token), company, Decimal(pct))


def test_direct_shareholding_links_both_ways() -> None:
    graph = EquityGraph([holds(A, B, 70)])
    down = equity_link(graph, A, B, RULES)
    up = equity_link(graph, B, A, RULES)
    assert down is not None and down.kind is LinkKind.DIRECT and down.depth == 1
    assert down.steps[0].direction is Direction.HOLDS and down.steps[0].share_pct == 70
    assert up is not None and up.kind is LinkKind.DIRECT and up.steps[0].direction is Direction.HELD_BY


def test_indirect_shareholding_through_an_intermediate() -> None:
    graph = EquityGraph([holds(A, C), holds(C, B)])
    link = equity_link(graph, A, B, RULES)
    assert link is not None and link.kind is LinkKind.INDIRECT
    assert [s.target.key for s in link.steps] == [C, B]
    assert link.explain() == f"{A} holds {C} (50%), {C} holds {B} (50%)"


def test_unrelated_enterprises_are_not_linked() -> None:
    graph = EquityGraph([holds(A, C), holds(B, D)])
    assert equity_link(graph, A, B, RULES) is None


def test_depth_limit_is_respected() -> None:
    chain = EquityGraph([holds(A, B), holds(B, C), holds(C, D), holds(D, E)])
    assert equity_link(chain, A, D, EquityRules(max_depth=3)) is not None
    assert equity_link(chain, A, E, EquityRules(max_depth=3)) is None
    assert equity_link(chain, A, E, EquityRules(max_depth=4)) is not None


def test_sister_companies_of_one_parent_are_linked() -> None:
    graph = EquityGraph([holds(C, A, 80), holds(C, B, 60)])
    link = equity_link(graph, A, B, RULES)
    assert link is not None and link.kind is LinkKind.COMMON_SHAREHOLDER and link.depth == 2
    assert not equity_link(graph, A, B, EquityRules(max_depth=1))
    assert not equity_link(graph, A, B, EquityRules(common_shareholder=False))


def test_common_natural_person_shareholder_links() -> None:
    graph = EquityGraph([person_holds("tok-zhang", A), person_holds("tok-zhang", B)])
    link = equity_link(graph, A, B, RULES)
    assert link is not None and link.steps[0].target == Party.person("tok-zhang")


def test_co_investors_in_a_third_company_are_not_linked() -> None:
    graph = EquityGraph([holds(A, C), holds(B, C)])
    assert equity_link(graph, A, B, RULES) is None


def test_small_holdings_below_the_threshold_are_ignored() -> None:
    graph = EquityGraph([holds(A, B, 3)])
    assert equity_link(graph, A, B, EquityRules(min_share_pct=Decimal(5))) is None
    assert equity_link(graph, A, B, EquityRules(min_share_pct=Decimal(3))) is not None


def test_cross_holdings_do_not_loop() -> None:
    graph = EquityGraph([holds(A, B), holds(B, A), holds(B, C)])
    link = equity_link(graph, A, C, EquityRules(max_depth=10))
    assert link is not None and link.depth == 2
    assert equity_link(graph, A, D, EquityRules(max_depth=10)) is None


def test_shortest_path_is_reported() -> None:
    graph = EquityGraph([holds(A, C), holds(C, D), holds(D, B), holds(A, B)])
    link = equity_link(graph, A, B, RULES)
    assert link is not None and link.depth == 1


def test_related_parties_by_equity_and_by_shared_person() -> None:
    graph = EquityGraph([holds(A, B), holds(F, A), holds(F, C), person_holds("tok-li", E, 30)])
    responsible = {
        A: [("tok-zhang", "legal_representative"), ("tok-li", "director")],
        D: [("tok-zhang", "manager")],
    }
    related = {r.uscc: r for r in related_parties(graph, responsible, A, RULES)}
    assert set(related) == {B, C, D, E, F}
    kinds = {uscc: r.equity_path.kind if r.equity_path else None for uscc, r in related.items()}
    assert kinds == {B: LinkKind.DIRECT, C: LinkKind.COMMON_SHAREHOLDER, D: None, E: None, F: LinkKind.DIRECT}
    assert related[D].equity_path is None
    assert [(p.person_token, p.roles_here, p.roles_there) for p in related[D].shared_persons] == [
        ("tok-zhang", ("legal_representative",), ("manager",))
    ]
    assert [(p.person_token, p.roles_there) for p in related[E].shared_persons] == [("tok-li", ("shareholder",))]


def test_two_co_shareholders_alone_are_not_related_through_the_person() -> None:
    graph = EquityGraph([person_holds("tok-wang", A), person_holds("tok-wang", B)])
    related = related_parties(graph, {}, A, EquityRules(common_shareholder=False))
    assert related == []
