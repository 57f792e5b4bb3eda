"""What routes need, put on `app.state.credit` by bootstrap (no module-level state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Table

from servicekit.db import Database
from servicekit.outbox import Outbox


@dataclass(frozen=True)
class CreditContext:
    db: Database
    outbox: Outbox
    idempotency: Table


def _context(request: Request) -> CreditContext:
    context: CreditContext = request.app.state.credit
    return context


Ctx = Annotated[CreditContext, Depends(_context)]

READ = "credit:read"
REPAIR = "credit:repair"
BENEFITS_READ = "benefits:read"
