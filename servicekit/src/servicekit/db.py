"""Async SQLAlchemy engine and sessions, built by a service's composition root."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, MetaData, TextClause, any_, bindparam, event, exc, make_url, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Constraint names are stable across services so Alembic autogenerate diffs stay readable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLSTATEs that say "not now" about the server, not "never" about the work: connection
# exceptions (08xxx), a server shutting down or still starting up after a crash (57P01-57P03),
# too many connections (53300), serialization failures and deadlocks (40001, 40P01). asyncpg
# reports them as plain database errors, not as SQLAlchemy's OperationalError.
_TRANSIENT_SQLSTATES = {"57P01", "57P02", "57P03", "53300", "40001", "40P01"}


def is_transient(error: BaseException) -> bool:
    """The database is unreachable or busy for now: the same work may succeed if tried again."""
    if isinstance(error, (OSError, ConnectionError, asyncio.TimeoutError)):
        return True
    if isinstance(error, exc.DBAPIError):
        sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
        return bool(error.connection_invalidated) or isinstance(error, (exc.OperationalError, exc.InterfaceError)) \
            or sqlstate.startswith("08") or sqlstate in _TRANSIENT_SQLSTATES
    return False


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL (`postgresql+asyncpg://...`) as a plain libpq URL for asyncpg itself
    (whose DSN spells the driver's `ssl` as libpq's `sslmode`)."""
    parsed = make_url(url).set(drivername="postgresql")
    if "ssl" in parsed.query:
        mode = parsed.query["ssl"]
        parsed = parsed.difference_update_query(["ssl"]).update_query_dict({"sslmode": mode})
    return parsed.render_as_string(hide_password=False)


def unnest_insert(table: str, columns: Sequence[tuple[str, str]], suffix: str = "") -> TextClause:
    """An INSERT of many rows in one statement, each column sent as one array parameter named after
    it (`column_arrays`); `columns` are (name, SQL type) pairs, `suffix` e.g. an ON CONFLICT clause.
    One execution whatever the number of rows: per-statement costs (and per-statement triggers)
    are paid once."""
    names = ", ".join(name for name, _ in columns)
    statement = f"INSERT INTO {table} ({names}) SELECT * FROM {unnest_rows(columns)} {suffix}"  # nosec B608  # names from code
    return text(statement.rstrip())


def unnest_rows(columns: Sequence[tuple[str, str]]) -> str:
    """`unnest(...)` of one array parameter per (name, SQL type) column, named after it."""
    return "unnest(" + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in columns) + ")"


def on_conflict_update(keys: Sequence[str], columns: Sequence[tuple[str, str]], also: str = "",
                       where: str = "") -> str:
    """The `suffix` of an `unnest_insert` that makes it an upsert: a row whose `keys` are on record
    replaces every other column of it (`also`: more assignments, `where`: when it may)."""
    assignments = [f"{name} = excluded.{name}" for name, _ in columns if name not in keys] + ([also] if also else [])
    clause = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(assignments)}"  # nosec B608  # names from code
    return clause + (f" WHERE {where}" if where else "")


def unnest_delete(table: str, columns: Sequence[tuple[str, str]]) -> TextClause:
    """A DELETE of many rows by key in one statement, each key column sent as one array parameter
    named after it (`column_arrays`), like `unnest_insert`."""
    names = ", ".join(name for name, _ in columns)
    match = " AND ".join(f"t.{name} = d.{name}" for name, _ in columns)
    return text(f"DELETE FROM {table} t USING {unnest_rows(columns)} AS d({names}) WHERE {match}")  # nosec B608  # names from code


def any_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column = ANY(:name)`, the values bound as one array named `name`. The statement's text is the
    same however many values there are, so it is compiled and prepared once and can be built once;
    `column.in_(values)` is a new statement for every number of values, compiled by SQLAlchemy and
    parsed and planned by PostgreSQL again."""
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def column_arrays(rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> dict[str, list[Any]]:
    """The parameters of an `unnest_insert`: one list per column, in row order."""
    rows = list(rows)
    return {name: [row[name] for row in rows] for name, _ in columns}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


PLAN_CACHE_MODES = ("force_custom_plan", "auto", "force_generic_plan")


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Instead of SQLAlchemy's `pool_pre_ping`, which costs three round trips per checkout with
    asyncpg (BEGIN, a ping, ROLLBACK: about a third of a short transaction's client CPU): a pooled
    connection whose server went away (restart, terminated backend) has already seen its socket
    close, so asking the driver is enough, and the pool retries with a fresh connection. A
    connection that dies unseen fails its first statement instead; SQLAlchemy then invalidates the
    pool and callers treat the error as transient (503, consumer retry)."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # Called with a transaction's `session.info` once it has committed (see `read_cache.changed`).
    commit_listeners: list[Callable[[dict[Any, Any]], None]] = field(default_factory=list)

    @classmethod
    def connect(cls, url: str, pool_size: int = 10, plan_cache_mode: str = "force_custom_plan") -> Database:
        settings = {} if plan_cache_mode == "auto" else {"plan_cache_mode": plan_cache_mode}
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                     connect_args={"server_settings": settings})
        event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def transaction(self, plan_cache_mode: str | None = None) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any error. `plan_cache_mode`
        overrides the connection's for this transaction only (see `PLAN_CACHE_MODES`)."""
        async with self.sessions() as session:
            async with session.begin():
                if plan_cache_mode is not None:
                    if plan_cache_mode not in PLAN_CACHE_MODES:
                        raise ValueError(f"plan_cache_mode must be one of {PLAN_CACHE_MODES}")
                    await session.execute(text(f"SET LOCAL plan_cache_mode = {plan_cache_mode}"))
                yield session
            for listener in self.commit_listeners:
                listener(session.info)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
