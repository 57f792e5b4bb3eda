"""Parties of the equity graph and links through a shared person (see ``equity.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .equity import Holding


class PartyKind(StrEnum):
    ENTERPRISE = "enterprise"
    PERSON = "person"


@dataclass(frozen=True, order=True)
class Party:
    kind: PartyKind
    key: str  # USCC of an enterprise, or the token standing for a natural person

    @classmethod
    def enterprise(cls, uscc: str) -> Party:
        return cls(PartyKind.ENTERPRISE, uscc)

    @classmethod
    def person(cls, token: str) -> Party:
        return cls(PartyKind.PERSON, token)


@dataclass(frozen=True)
class SharedPerson:
    """One person in both enterprises: their roles in X and in the related party."""

    person_token: str
    roles_here: tuple[str, ...]
    roles_there: tuple[str, ...]


def _roles_by_person(
    responsible: Mapping[str, Iterable[tuple[str, str]]], holdings: Iterable[Holding]
) -> dict[str, dict[str, set[str]]]:
    """token → USCC → roles, where holding shares counts as the role ``shareholder``."""
    roles: dict[str, dict[str, set[str]]] = {}
    for uscc, people in responsible.items():
        for token, role in people:
            roles.setdefault(token, {}).setdefault(uscc, set()).add(str(role))
    for h in holdings:
        if h.holder.kind is PartyKind.PERSON:
            roles.setdefault(h.holder.key, {}).setdefault(h.company, set()).add("shareholder")
    return roles


def shared_persons(
    x: str, responsible: Mapping[str, Iterable[tuple[str, str]]], holdings: Iterable[Holding]
) -> dict[str, list[SharedPerson]]:
    """Enterprises sharing a person with ``x``, where that person is a responsible person of one
    of the two (two co-shareholders alone are an equity question, not this one)."""
    related: dict[str, list[SharedPerson]] = {}
    for token, enterprises in sorted(_roles_by_person(responsible, holdings).items()):
        here = enterprises.get(x)
        if not here:
            continue
        for uscc, there in sorted(enterprises.items()):
            if uscc == x:
                continue
            if here == {"shareholder"} and there == {"shareholder"}:
                continue
            link = SharedPerson(token, tuple(sorted(here)), tuple(sorted(there)))
            related.setdefault(uscc, []).append(link)
    return related
