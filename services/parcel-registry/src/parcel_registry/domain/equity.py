"""Equity links (股权关联关系) and related parties (关联方), derived from shareholdings.

Decisions (the draft leaves them open):
- X and Y are *equity-linked* when a chain of shareholdings of at most ``max_depth`` steps joins
  them: X holds Y or Y holds X (direct, one step), through intermediate enterprises (indirect),
  or — when ``common_shareholder`` is on — both are held, directly or indirectly, by one common
  shareholder, enterprise or natural person (sister companies of one group). Every step counts
  towards the depth, so X ← P → Y is depth 2.
- Walking *up* to a shareholder and then *down* to its holdings is a link; walking down and then
  up is not: two co-investors in a third company are partners, not one group.
- Steps below ``min_share_pct`` are ignored (0 by default: any shareholding counts).
- Related parties of X: every enterprise equity-linked to X, plus every enterprise sharing a
  person with X, where the person is a responsible person of one of the two and a responsible
  person or shareholder of the other. A shared person links only the two enterprises directly; it
  is not followed any further.
Persons are identified by an opaque token (a keyed hash of the ID number), never the number.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .related import Party, PartyKind, SharedPerson, shared_persons


class Direction(StrEnum):
    HOLDS = "holds"  # from a shareholder down to the company it holds
    HELD_BY = "held_by"  # from a company up to its shareholder


class LinkKind(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"
    COMMON_SHAREHOLDER = "common_shareholder"


@dataclass(frozen=True)
class Holding:
    holder: Party
    company: str  # USCC of the held enterprise
    share_pct: Decimal


@dataclass(frozen=True)
class EquityRules:
    max_depth: int = 3
    common_shareholder: bool = True
    min_share_pct: Decimal = Decimal(0)


@dataclass(frozen=True)
class Step:
    source: Party
    target: Party
    direction: Direction
    share_pct: Decimal


@dataclass(frozen=True)
class EquityPath:
    steps: tuple[Step, ...]

    @property
    def depth(self) -> int:
        return len(self.steps)

    @property
    def kind(self) -> LinkKind:
        if len({s.direction for s in self.steps}) > 1:
            return LinkKind.COMMON_SHAREHOLDER
        return LinkKind.DIRECT if self.depth == 1 else LinkKind.INDIRECT

    def explain(self) -> str:
        """E.g. ``A held_by P (60%), P holds B (51%)``; person tokens stand in for people."""
        return ", ".join(f"{s.source.key} {s.direction} {s.target.key} ({s.share_pct}%)" for s in self.steps)


class EquityGraph:
    def __init__(self, holdings: Iterable[Holding]) -> None:
        self._up: dict[Party, list[Holding]] = {}
        self._down: dict[Party, list[Holding]] = {}
        for h in holdings:
            self._up.setdefault(Party.enterprise(h.company), []).append(h)
            self._down.setdefault(h.holder, []).append(h)
        order = lambda h: (h.holder, h.company)  # noqa: E731 - deterministic shortest paths
        for edges in (*self._up.values(), *self._down.values()):
            edges.sort(key=order)

    def steps_from(self, party: Party, direction: Direction, rules: EquityRules) -> list[Step]:
        if direction is Direction.HELD_BY:
            edges = self._up.get(party, [])
            steps = [Step(party, h.holder, direction, h.share_pct) for h in edges]
        else:
            edges = self._down.get(party, [])
            steps = [Step(party, Party.enterprise(h.company), direction, h.share_pct) for h in edges]
        return [s for s in steps if s.share_pct >= rules.min_share_pct]

    def holders(self) -> Iterable[Holding]:
        for edges in self._down.values():
            yield from edges


def _walk(graph: EquityGraph, start: str, rules: EquityRules) -> dict[Party, EquityPath]:
    """Shortest up*-then-down* path from ``start`` to every party within the depth (BFS)."""
    origin = Party.enterprise(start)
    found: dict[Party, EquityPath] = {}
    seen = {(origin, Direction.HELD_BY)}
    queue: deque[tuple[Party, Direction, tuple[Step, ...]]] = deque([(origin, Direction.HELD_BY, ())])
    while queue:
        party, phase, steps = queue.popleft()
        if len(steps) >= rules.max_depth:
            continue
        turns = [phase] if phase is Direction.HOLDS else [Direction.HELD_BY, Direction.HOLDS]
        if phase is Direction.HELD_BY and steps and not rules.common_shareholder:
            turns = [Direction.HELD_BY]
        for direction in turns:
            for step in graph.steps_from(party, direction, rules):
                if (step.target, direction) in seen:
                    continue
                seen.add((step.target, direction))
                path = (*steps, step)
                if step.target != origin:
                    found.setdefault(step.target, EquityPath(path))
                queue.append((step.target, direction, path))
    return found


def equity_link(graph: EquityGraph, x: str, y: str, rules: EquityRules) -> EquityPath | None:
    """The shortest chain joining enterprises ``x`` and ``y``, or None when they are not linked."""
    if x == y:
        return None
    return _walk(graph, x, rules).get(Party.enterprise(y))


@dataclass(frozen=True)
class RelatedParty:
    uscc: str
    equity_path: EquityPath | None
    shared_persons: tuple[SharedPerson, ...]


def related_parties(
    graph: EquityGraph,
    responsible: Mapping[str, Iterable[tuple[str, str]]],
    x: str,
    rules: EquityRules,
) -> list[RelatedParty]:
    """Everyone related to ``x``, each with why. ``responsible`` maps USCC → (person token, role)."""
    by_equity = {p.key: path for p, path in _walk(graph, x, rules).items() if p.kind is PartyKind.ENTERPRISE}
    by_person = shared_persons(x, responsible, graph.holders())
    return [
        RelatedParty(uscc, by_equity.get(uscc), tuple(by_person.get(uscc, ())))
        for uscc in sorted(by_equity.keys() | by_person.keys())
        if uscc != x
    ]
