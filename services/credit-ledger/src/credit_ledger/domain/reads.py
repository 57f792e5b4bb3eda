"""The audit log of credit-file reads: who read whose file, and whether unmasked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CreditRead:
    reader: str
    scopes: str
    subject_ref: str  # as asked, with any resident ID number masked
    unmasked: bool
    read_at: datetime
