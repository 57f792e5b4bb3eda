"""What the use cases need, assembled once by the composition root and passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.domain.due_periods import DuePolicy
from enforcement.domain.evidence import EvidencePolicy
from servicekit.db import Database
from servicekit.outbox import Outbox


@dataclass(frozen=True)
class Context:
    db: Database
    outbox: Outbox
    evidence_store: EvidenceStore
    evidence_policy: EvidencePolicy
    due_policy: DuePolicy
    clock: Callable[[], datetime]
    cases_from_provisional_grades: bool = True


@dataclass(frozen=True)
class Caller:
    """Who is asking. `jurisdiction` binds a street office or town to its own area;
    `unrestricted` (the admin scope) sees and acts everywhere."""

    subject: str
    jurisdiction: str | None = None
    unrestricted: bool = False

    @property
    def area(self) -> str | None:
        """The area reads are limited to, or None for all areas."""
        return None if self.unrestricted else self.jurisdiction
