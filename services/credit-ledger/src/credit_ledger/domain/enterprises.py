"""This service's projection of the registry's enterprises, as read back from its database.

The registry sends an enterprise's whole current state each time; only enterprise shareholders
become equity links (the policy's related parties are enterprises linked by equity or by a shared
responsible person, a natural-person shareholder who is not a responsible person is neither).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ResponsiblePerson:
    person_ref: str  # opaque token issued upstream, never an ID number
    name: str  # personal data: masked in every read but admin's
    role: str


@dataclass(frozen=True)
class EquityLink:
    shareholder_uscc: str
    investee_uscc: str
    share: Decimal


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    name: str
    status: str


@dataclass(frozen=True)
class EnterpriseState:
    """An enterprise as the registry last described it, with its persons and enterprise shareholders."""

    uscc: str
    name: str
    status: str
    persons: tuple[ResponsiblePerson, ...] = ()
    shareholders: tuple[tuple[str, Decimal], ...] = ()  # (shareholder USCC, share)


@dataclass(frozen=True)
class RelationChanges:
    """What one report of an enterprise does to its dated relations: the periods it ends (persons
    by token, shareholders by USCC), the ones it begins, and the persons whose name or role it
    corrects in place (the same person in the same post: no new period)."""

    ended_persons: tuple[str, ...] = ()
    begun_persons: tuple[ResponsiblePerson, ...] = ()
    corrected_persons: tuple[ResponsiblePerson, ...] = ()
    ended_links: tuple[str, ...] = ()
    begun_links: tuple[tuple[str, Decimal], ...] = ()


def relation_changes(open_persons: Mapping[str, ResponsiblePerson], open_links: Mapping[str, Decimal],
                     state: EnterpriseState) -> RelationChanges:
    """From the relations open now to the ones `state` reports. A changed stake ends one period
    and begins another: a stake under the related-party threshold must not count for the days it
    was above it, nor the other way round."""
    persons = {p.person_ref: p for p in state.persons}
    links = {holder: share for holder, share in state.shareholders if holder != state.uscc}
    return RelationChanges(
        ended_persons=tuple(sorted(ref for ref in open_persons if ref not in persons)),
        begun_persons=tuple(p for ref, p in sorted(persons.items()) if ref not in open_persons),
        corrected_persons=tuple(p for ref, p in sorted(persons.items())
                                if ref in open_persons and open_persons[ref] != p),
        ended_links=tuple(sorted(h for h, share in open_links.items() if links.get(h) != share)),
        begun_links=tuple(sorted((h, share) for h, share in links.items() if open_links.get(h) != share)),
    )
