"""The migrations build exactly the tables the code uses; the ledger refuses edits outright."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from credit_ledger.adapters.tables import metadata
from credit_ledger.bootstrap import MIGRATIONS
from credit_ledger.settings import Settings

pytestmark = pytest.mark.infra
PLUMBING = {"outbox", "inbox", "idempotency_keys"}


def _tables(diff: Any) -> set[str]:
    names = set()
    for part in (diff if isinstance(diff, list) else [diff]):
        for item in part[1:] if isinstance(part, tuple) else ():
            table = getattr(item, "table", None)
            name = getattr(table, "name", None) or (item if isinstance(item, str) else None)
            if name:
                names.add(str(name))
    return names


async def test_migrations_match_the_table_definitions(make_settings: Any) -> None:
    settings = await make_settings(Settings, MIGRATIONS)
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        assert [d for d in diff if not _tables(d) <= PLUMBING or not _tables(d)] == []
    finally:
        await engine.dispose()


async def test_the_database_refuses_to_update_or_delete_credit_records(make_settings: Any) -> None:
    settings = await make_settings(Settings, MIGRATIONS)
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO credit_records (sequence, record_id, kind, origin, subject_kind, subject_ref, "
                "parcel_id, relation, path, path_sentence, polarity, reason, occurred_at, prev_hash, hash) "
                "VALUES (1, 'r1', 'grade', 'ev', 'enterprise', 'X', 'P', 'holder', '[]', 's', 'neutral', "
                "'why', now(), :h, :h)"), {"h": "0" * 64})
        for statement in ("UPDATE credit_records SET reason = 'edited'", "DELETE FROM credit_records",
                          "TRUNCATE credit_records"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
    finally:
        await engine.dispose()
