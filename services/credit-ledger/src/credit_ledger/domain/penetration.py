"""The penetration chain 地-企-责任人-责任人关联企业.

From a parcel the chain reaches its rights holder, the holder's responsible persons, and the
other enterprises those persons are responsible for; it also reaches the holder's equity-linked
enterprises (shareholders and investees, one step either way). The chain stops there on purpose:
the policy names exactly these links, and going further (a shareholder's shareholders, a
person-affiliate's own persons) would put consequences on parties the policy does not reach.

Responsible persons appear only as opaque person tokens issued upstream; an ID number is never
part of the graph, the paths or the sentences.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


class SubjectKind(enum.StrEnum):
    ENTERPRISE = "enterprise"  # ref = USCC
    PERSON = "person"  # ref = opaque person token


class Relation(enum.StrEnum):
    """How a subject is related to the graded parcel (best relation first)."""

    HOLDER = "holder"
    RESPONSIBLE_PERSON = "responsible_person"
    PERSON_AFFILIATE = "person_affiliate"  # another enterprise of a responsible person
    EQUITY_LINKED = "equity_linked"

    @property
    def label(self) -> str:
        return {
            Relation.HOLDER: "rights holder",
            Relation.RESPONSIBLE_PERSON: "responsible person",
            Relation.PERSON_AFFILIATE: "enterprise",
            Relation.EQUITY_LINKED: "equity-linked enterprise",
        }[self]


class RelationsCounted(enum.StrEnum):
    """Which relations penetration walks for a graded year (relations are dated: a person leaves
    an enterprise, a stake is sold)."""

    ANY_DAY = "any_day"  # valid on some day of the year: leaving on 30 December frees no one of it
    LAST_DAY = "last_day"  # valid on the year's last day

    def window(self, year: int) -> tuple[date, date]:
        """(first, last): a relation counts when its period meets these days."""
        last = date(year, 12, 31)
        return (date(year, 1, 1) if self is RelationsCounted.ANY_DAY else last), last


@dataclass(frozen=True)
class EquityRule:
    """Which equity links make a related party: a stake of at least `min_share_pct` percent of the
    investee (0: any stake). A link whose share is not known counts (fail closed: an unknown stake
    never frees a party from the chain)."""

    min_share_pct: Decimal = Decimal(0)

    def counts(self, share_pct: Decimal | None) -> bool:
        return share_pct is None or share_pct >= self.min_share_pct

    def explain(self, share_pct: Decimal | None) -> str | None:
        """What a path says about the stake that made the link, with the setting it passed."""
        if share_pct is None:
            return None
        stake = f"{_percent(share_pct)}% equity"
        return stake if not self.min_share_pct else f"{stake}; links count from {_percent(self.min_share_pct)}%"


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class EnterpriseGraph:
    """This service's own projection of enterprises, responsible persons and equity links."""

    names: Mapping[str, str] = field(default_factory=dict)  # USCC -> enterprise name
    responsible_persons: Mapping[str, frozenset[str]] = field(default_factory=dict)  # USCC -> tokens
    equity_links: frozenset[tuple[str, str]] = frozenset()  # (shareholder USCC, investee USCC)
    # (shareholder USCC, investee USCC) -> the shareholder's stake in the investee, in percent
    equity_shares: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def persons_of(self, uscc: str) -> list[str]:
        return sorted(self.responsible_persons.get(uscc, frozenset()))

    def enterprises_of(self, person_token: str) -> list[str]:
        return sorted(u for u, people in self.responsible_persons.items() if person_token in people)

    def equity_linked(self, uscc: str, rule: EquityRule | None = None) -> list[tuple[str, Decimal | None]]:
        """The enterprises linked to `uscc` by a stake the rule counts, with that stake (the larger
        one when each holds a part of the other)."""
        rule = rule or EquityRule()
        linked: dict[str, Decimal | None] = {}
        for a, b in self.equity_links:
            if uscc not in (a, b) or a == b:
                continue
            share = self.equity_shares.get((a, b))
            if rule.counts(share):
                other = b if a == uscc else a
                kept = linked.get(other)
                linked[other] = share if other not in linked or (
                    kept is not None and share is not None and share > kept) else kept
        return sorted(linked.items())


@dataclass(frozen=True)
class Step:
    """One hop of a path: the subject reached and how it relates to the hop before."""

    kind: SubjectKind | None  # None for the parcel itself
    ref: str
    relation: Relation | None
    name: str | None = None
    note: str | None = None  # what made the hop (an equity stake); in the sentence only


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]

    @property
    def parcel_id(self) -> str:
        return self.steps[0].ref

    def hops(self) -> list[str]:
        """["parcel P-1", "rights holder X Co. (9111…)", "responsible person psn-7", ...]: persons by
        token only, enterprises by name and USCC."""
        parts = [f"parcel {self.parcel_id}"]
        for step in self.steps[1:]:
            assert step.relation is not None
            named = step.name and step.kind is SubjectKind.ENTERPRISE
            who = f"{step.name} ({step.ref})" if named else step.ref
            parts.append(f"{step.relation.label} {who}" + (f" [{step.note}]" if step.note else ""))
        return parts

    def sentence(self) -> str:
        return " → ".join(self.hops())

    def as_data(self) -> list[dict[str, str | None]]:
        return [
            {"kind": s.kind.value if s.kind else "parcel", "ref": s.ref,
             "relation": s.relation.value if s.relation else None, "name": s.name}
            for s in self.steps
        ]

    @classmethod
    def from_data(cls, data: Iterable[Mapping[str, str | None]]) -> Path:
        return cls(tuple(
            Step(None if d["kind"] == "parcel" else SubjectKind(str(d["kind"])), str(d["ref"]),
                 Relation(str(d["relation"])) if d.get("relation") else None, d.get("name"))
            for d in data
        ))


@dataclass(frozen=True)
class Reached:
    """A subject the chain reached, with every path that reaches it (the first is the shortest)."""

    kind: SubjectKind
    ref: str
    relation: Relation
    paths: tuple[Path, ...]

    @property
    def path(self) -> Path:
        return self.paths[0]


def penetrate(parcel_id: str, holder_uscc: str, graph: EnterpriseGraph,
              rule: EquityRule | None = None) -> list[Reached]:
    """Every subject reached from the parcel: the holder first, then persons, then enterprises.
    An equity link reaches only with a stake the rule counts, and its path names the stake."""
    rule = rule or EquityRule()

    def ent(uscc: str, relation: Relation, note: str | None = None) -> Step:
        return Step(SubjectKind.ENTERPRISE, uscc, relation, graph.names.get(uscc), note)

    root = (Step(None, parcel_id, None), ent(holder_uscc, Relation.HOLDER))
    found: dict[tuple[SubjectKind, str], list[Path]] = {}

    def reach(step: Step, path: tuple[Step, ...]) -> None:
        assert step.kind is not None
        found.setdefault((step.kind, step.ref), []).append(Path(path))

    reach(root[1], root)
    for token in graph.persons_of(holder_uscc):
        person = Step(SubjectKind.PERSON, token, Relation.RESPONSIBLE_PERSON)
        reach(person, (*root, person))
        for other in graph.enterprises_of(token):
            if other != holder_uscc:
                hop = ent(other, Relation.PERSON_AFFILIATE)
                reach(hop, (*root, person, hop))
    for linked, share in graph.equity_linked(holder_uscc, rule):
        hop = ent(linked, Relation.EQUITY_LINKED, rule.explain(share))
        reach(hop, (*root, hop))
    reached = []
    for (kind, ref), paths in found.items():
        ordered = tuple(sorted(paths, key=lambda p: len(p.steps)))  # stable: discovery order breaks ties
        relation = ordered[0].steps[-1].relation
        assert relation is not None
        reached.append(Reached(kind, ref, relation, ordered))
    return reached
