"""A pooled connection whose server end went away is replaced before anyone uses it, without a
round trip per checkout (`servicekit.db._refuse_closed_connection`, in place of `pool_pre_ping`)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text

from landgrade.testing import Infra
from servicekit.db import Database, asyncpg_dsn

pytestmark = pytest.mark.infra


async def _backend_pid(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")))


async def test_a_connection_terminated_by_the_server_is_replaced_at_checkout(infra: Infra) -> None:
    url = infra.database_url("postgres")
    db = Database.connect(url, 1)
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        first = await _backend_pid(db)
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        pooled = db.engine.sync_engine.pool
        for _ in range(100):  # the driver learns of it when the event loop reads the socket's end
            if await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first) == 0:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)
        # The next transaction gets a new backend instead of failing on the dead one.
        second = await _backend_pid(db)
        assert second != first
        assert pooled.checkedout() == 0
    finally:
        await admin.close()
        await db.dispose()


async def test_checkouts_send_nothing_but_the_work(infra: Infra) -> None:
    """No ping transaction per checkout: 20 transactions send 20 BEGINs and 20 COMMITs, nothing else."""
    url = infra.database_url("postgres")
    db = Database.connect(url, 1)
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await _backend_pid(db)
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            statements: list[str] = []
            raw.add_query_logger(lambda record: statements.append(record.query))
        for _ in range(20):
            await _backend_pid(db)
        # asyncpg logs its simple queries: each transaction's BEGIN and COMMIT, and a ping's
        # BEGIN, ";" and ROLLBACK if there were any.
        assert sorted(set(statements)) == ["BEGIN;", "COMMIT;"], statements[:6]
        assert len(statements) == 40
    finally:
        await admin.close()
        await db.dispose()
