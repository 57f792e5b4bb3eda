"""This service's projection of the registry's enterprises, as read back from its database.

The registry sends an enterprise's whole current state each time; only enterprise shareholders
become equity links (the policy's related parties are enterprises linked by equity or by a shared
responsible person, a natural-person shareholder who is not a responsible person is neither).
"""

from __future__ import annotations

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
