"""`Idempotency-Key` for the POSTs that carry no natural id (runs, objections): a retry with the
same key and body gets the first answer; the effect happened once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.adapters.tables import plumbing
from servicekit.idempotency import remember, replay


@dataclass(frozen=True)
class IdempotentRequest:
    principal: str
    key: str
    fingerprint: str

    async def replayed(self, session: AsyncSession) -> Any | None:
        found = await replay(session, plumbing.idempotency, self.principal, self.key, self.fingerprint)
        return None if found is None else found[1]

    async def remember(self, session: AsyncSession, status: int, body: Any) -> None:
        await remember(session, plumbing.idempotency, self.principal, self.key, self.fingerprint, status, body)
