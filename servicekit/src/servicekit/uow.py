"""The unit of work: the one transaction a handler works in, the events it emits through the
outbox, and the Idempotency-Key responses it stores.

Every handler of every service is written the same way, `async with uow:` around its work:
- a command's unit of work (made with a `Storage` alone) opens a transaction on entry and commits
  it on a clean exit, rolling back on any error;
- an event's unit of work is made on the inbox's session (`session=`): entering it joins that
  transaction, and the inbox commits it together with the consumed event ids.

A service subclasses `UnitOfWork` and builds its repositories in `bind`, from the session, so a
handler reaches state only through `uow.<repository>` and emits only through `uow.emit`; unit
tests pass a fake with the same attributes and no database.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database
from servicekit.events import EventData
from servicekit.idempotency import IdempotentRequest, remember, replay
from servicekit.outbox import Outbox


@dataclass(frozen=True)
class Storage:
    """What every unit of work of a service is made from: its database, outbox and key table."""

    db: Database
    outbox: Outbox
    idempotency: Table


class UnitOfWork:
    def __init__(self, storage: Storage, *, session: AsyncSession | None = None,
                 plan_cache_mode: str | None = None) -> None:
        self.storage = storage
        self._joined = session is not None
        self._session = session
        self._plan_cache_mode = plan_cache_mode
        self._transaction: AbstractAsyncContextManager[AsyncSession] | None = None
        if session is not None:
            self.bind(session)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("a unit of work is used inside `async with uow:`")
        return self._session

    def bind(self, session: AsyncSession) -> None:
        """Builds the service's repositories on the session; called once per transaction."""

    async def __aenter__(self) -> Self:
        if self._joined:
            return self
        if self._transaction is not None:
            raise RuntimeError("a unit of work opens one transaction at a time")
        self._transaction = self.storage.db.transaction(self._plan_cache_mode)
        self._session = await self._transaction.__aenter__()
        self.bind(self._session)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self._joined or self._transaction is None:
            return
        transaction, self._transaction = self._transaction, None
        try:
            await transaction.__aexit__(kind, error, trace)
        finally:
            self._session = None

    async def emit(self, *events: EventData) -> list[str]:
        """Writes events to the outbox in this transaction; the relay publishes them after commit."""
        return await self.storage.outbox.add(self.session, *events)

    async def emit_rows(self, rows: list[dict[str, Any]], *, once: bool = False) -> None:
        """Outbox rows made with `Outbox.row` (one trace each), in one statement (`once`: see
        `Outbox.add_rows`)."""
        await self.storage.outbox.add_rows(self.session, rows, once=once)

    async def replayed(self, request: IdempotentRequest | None) -> tuple[int, Any] | None:
        """The stored answer to an earlier request with this Idempotency-Key, if any (409 when the
        key came with another request)."""
        if request is None:
            return None
        return await replay(self.session, self.storage.idempotency, request.principal, request.key,
                            request.fingerprint)

    async def remember(self, request: IdempotentRequest | None, status: int, body: Any) -> None:
        """Stores this request's answer in the same transaction as its effect."""
        if request is not None:
            await remember(self.session, self.storage.idempotency, request.principal, request.key,
                           request.fingerprint, status, body)

