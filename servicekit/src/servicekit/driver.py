"""Hot statements sent on the driver's (asyncpg's) connection, inside the session's transaction.

SQLAlchemy's per-statement path (compiled-cache lookup, execution context, result wrapping) costs
about 300 µs of CPU per statement on the reference machine, the driver's own call about 80 µs. A
unit of work that runs a dozen statements many times a second (a chunk of filings, an outbox
write) pays that difference on every one. `OnDriver` keeps the statement written once in
SQLAlchemy (a `text()` with named parameters, or a `select`), compiles it to the driver's `$n`
form on first use, and sends it on the same connection, in the same transaction, with errors
raised as SQLAlchemy's (so retries and transient-error handling see what they always saw) and a
span when the trace is recorded.

Only for statements whose parameters need no SQLAlchemy type processing (text, numbers, bytes,
booleans, arrays of them): the values go to the driver as they are. Rows come back as the
driver's records, read by index or column name.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ClauseElement, exc
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.telemetry import statement_span


async def driver(session: AsyncSession) -> Any:
    """The driver's connection of the session's transaction, the transaction begun on it.

    SQLAlchemy begins a transaction lazily, at its first statement: a statement sent on the
    driver before that would run on its own (autocommit), its locks gone at once and its writes
    beyond a rollback. So the transaction is begun here first if it has not been.
    """
    return (await _adapted(session))[1]


async def _adapted(session: AsyncSession) -> tuple[Any, Any]:
    """(SQLAlchemy's adapter of the connection, the driver's connection), the transaction begun."""
    raw = await (await session.connection()).get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if adapted._transaction is None and adapted.isolation_level != "autocommit":
        await adapted._start_transaction()
    return adapted, raw.driver_connection


class OnDriver:
    """One hot statement, run on the driver's connection of a session's transaction."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement

    @functools.cached_property
    def _compiled(self) -> tuple[str, tuple[str, ...]]:
        from sqlalchemy.dialects.postgresql.asyncpg import dialect

        compiled: Any = self.statement.compile(dialect=dialect())  # type: ignore[no-untyped-call]
        return compiled.string, tuple(compiled.positiontup or ())

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any] | None = None) -> list[Any]:
        sql, names = self._compiled
        values = [(params or {})[name] for name in names]
        adapted, connection = await _adapted(session)
        with statement_span(sql):
            try:
                return list(await connection.fetch(sql, *values))
            except Exception as error:
                raise _as_sqlalchemy(adapted, sql, error) from error


def _as_sqlalchemy(adapted: Any, sql: str, error: Exception) -> Exception:
    """The error as SQLAlchemy raises it for the same statement (`IntegrityError` for a unique key
    taken, `DBAPIError` with the SQLSTATE on `.orig`), so callers that retry on a clash or treat an
    unreachable server as transient need not know which path sent the statement."""
    try:
        adapted._handle_exception(error)  # raises the driver's error as the DBAPI layer's
    except Exception as translated:
        return exc.DBAPIError.instance(sql, None, translated, adapted.dbapi.Error,
                                       connection_invalidated=adapted._connection.is_closed())
    return error
