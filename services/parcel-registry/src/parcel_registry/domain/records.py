"""What the ledger reads back: records with the version the ledger keeps for each of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from parcel_registry.domain.enterprises import Enterprise
from parcel_registry.domain.parcels import Parcel


@dataclass(frozen=True)
class Stored:
    """A parcel as stored, with its version (raised on every change)."""

    parcel: Parcel
    version: int


@dataclass(frozen=True)
class StoredEnterprise:
    """An enterprise as stored: ID numbers only encrypted (`id_ciphertext`), masked and by
    person reference, never in plain text."""

    row: dict[str, Any]
    persons: list[dict[str, Any]]
    shareholders: list[dict[str, Any]]

    def fingerprint(self) -> tuple[object, ...]:
        return (
            self.row["name"],
            self.row["status"],
            tuple((p["name"], p["role"], p["person_ref"]) for p in self.persons),
            tuple(
                (s["kind"], s["name"], Decimal(s["share_pct"]), s["holder_uscc"], s["person_ref"])
                for s in self.shareholders
            ),
        )


def enterprise_fingerprint(enterprise: Enterprise, person_ref: Callable[[str], str]) -> tuple[object, ...]:
    """What a stored copy of ``enterprise`` would compare equal to (ID numbers by reference only)."""
    return (
        enterprise.name,
        enterprise.status.value,
        tuple((p.name, p.role.value, person_ref(p.id_number)) for p in enterprise.responsible_persons),
        tuple(
            (s.kind.value, s.name, s.share_pct, s.uscc, person_ref(s.id_number) if s.id_number else None)
            for s in enterprise.shareholders
        ),
    )


class Change(StrEnum):
    """What a PUT did to the ledger."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
