"""`Idempotency-Key` for POSTs that carry no natural id: the first response is stored in the same
transaction as the effect and replayed for a retry; the same key with another body is 409."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import Column, DateTime, Integer, MetaData, PrimaryKeyConstraint, String, Table, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.problems import Problem


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys", metadata,
        Column("principal", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status", Integer, nullable=False),
        Column("body", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("principal", "key"),
    )


KEY_MAX_LENGTH = 200


@dataclass(frozen=True)
class IdempotentRequest:
    """A request under an Idempotency-Key, as one principal sent it: the key is theirs alone."""

    principal: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str

    def by(self, principal: str) -> IdempotentRequest:
        return IdempotentRequest(principal, self.key, self.fingerprint)


async def _idempotency_key(
    request: Request,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=KEY_MAX_LENGTH, pattern=r"^[\x21-\x7e]+$",
        description="Any printable ASCII text the client chooses; a retry with the same key and body "
                    "gets the first answer again, the same key with another body 409.")] = None,
) -> IdempotencyKey | None:
    if idempotency_key is None:
        return None
    return IdempotencyKey(idempotency_key, request_hash(request.method, request.url.path, await request.body()))


# The one way a route reads the optional `Idempotency-Key` header (`key.by(principal.subject)`).
IdempotencyKeyDep = Annotated[IdempotencyKey | None, Depends(_idempotency_key)]


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def replay(session: AsyncSession, table: Table, principal: str, key: str,
                 fingerprint: str) -> tuple[int, Any] | None:
    """The stored response for this key, or None for a first request."""
    row = (await session.execute(select(table.c.request_hash, table.c.status, table.c.body)
                                 .where(table.c.principal == principal, table.c.key == key))).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Problem(409, "Idempotency key reused", "This Idempotency-Key was used with a different request.",
                      errors=[{"field": "Idempotency-Key", "in": "header", "message": "reused with another body"}])
    return row.status, row.body


async def remember(session: AsyncSession, table: Table, principal: str, key: str, fingerprint: str,
                   status: int, body: Any) -> None:
    await session.execute(insert(table).values(principal=principal, key=key, request_hash=fingerprint,
                                               status=status, body=body))
