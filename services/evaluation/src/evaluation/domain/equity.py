"""Equity links (股权关联关系) between a rights holder and a tenant, through shareholdings.

Two enterprises are equity-linked when a chain of shareholdings joins them within the ruleset's
search depth: one holds the other, a common shareholder holds both, and so on. Shareholders are
nodes "E:<USCC>" (enterprises) or "P:<person ref>" (a keyed hash, never an ID number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def enterprise_node(uscc: str) -> str:
    return f"E:{uscc}"


def adjacency(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Undirected graph from (enterprise USCC, shareholder node) pairs."""
    graph: dict[str, set[str]] = {}
    for uscc, holder in edges:
        company = enterprise_node(uscc)
        graph.setdefault(company, set()).add(holder)
        graph.setdefault(holder, set()).add(company)
    return graph


def equity_linked(a_uscc: str, b_uscc: str, graph: Mapping[str, set[str]], depth: int) -> bool:
    """True when a shareholding chain of at most `depth` links joins the two enterprises."""
    start, goal = enterprise_node(a_uscc), enterprise_node(b_uscc)
    if start == goal:
        return True
    frontier, seen = {start}, {start}
    for _ in range(depth):
        frontier = {n for node in frontier for n in graph.get(node, ())} - seen
        if goal in frontier:
            return True
        if not frontier:
            return False
        seen |= frontier
    return False
