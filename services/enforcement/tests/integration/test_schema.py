"""The Alembic migrations build exactly the tables the code uses, and evidence rows are immutable."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from enforcement.adapters.tables import metadata
from enforcement.bootstrap import MIGRATIONS
from enforcement.settings import Settings

pytestmark = pytest.mark.infra


async def test_migrations_match_the_table_definitions(make_settings) -> None:
    settings = await make_settings(Settings, MIGRATIONS)
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        # The plumbing tables (outbox, inbox, idempotency keys) belong to servicekit's migration.
        plumbing = {"outbox", "inbox", "idempotency_keys"}
        assert [d for d in diff if _table_of(d) not in plumbing] == []
    finally:
        await engine.dispose()


async def test_the_database_refuses_to_alter_recorded_evidence(make_settings) -> None:
    settings = await make_settings(Settings, MIGRATIONS)
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO inspections VALUES ('i1', 'P1', 'ronghua', 'ronghua', now(), 'w', 'w', now())"))
            await conn.execute(text(
                "INSERT INTO evidence VALUES ('e1', 'i1', 'image/png', 1, :h, 'a.png', 'x.png', now(), 'w')"),
                {"h": "0" * 64})
        for statement in ("UPDATE evidence SET sha256 = 'f' WHERE evidence_id = 'e1'",
                          "DELETE FROM evidence WHERE evidence_id = 'e1'"):
            with pytest.raises(DBAPIError, match="immutable"):
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
    finally:
        await engine.dispose()


def _table_of(diff: object) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:] if isinstance(item, tuple) else ():
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if hasattr(part, "name") and hasattr(part, "columns") and not hasattr(part, "table"):
            return str(part.name)
    return None
