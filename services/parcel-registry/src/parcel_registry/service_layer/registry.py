"""What every handler needs, assembled once by ``bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from parcel_registry.adapters.person_ids import PersonIdVault
from parcel_registry.domain.equity import EquityRules
from servicekit.db import Database
from servicekit.outbox import Outbox


@dataclass(frozen=True)
class Registry:
    db: Database
    outbox: Outbox
    vault: PersonIdVault
    equity_rules: EquityRules
    filing_chunk_size: int = 1000
    max_batch_filings: int = 200_000


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class NotFound(LookupError):
    def __init__(self, what: str, key: str) -> None:
        self.what, self.key = what, key
        super().__init__(f"{what} {key} is not in the ledger")
