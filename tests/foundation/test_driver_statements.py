"""Hot statements on the driver's connection (`servicekit.driver.OnDriver`) behave as the same
statements through SQLAlchemy: inside the unit of work's transaction even as its first statement,
undone by its rollback, their locks held until it ends, and their errors SQLAlchemy's."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.types import Text

from landgrade.testing import Infra
from servicekit.db import Database, asyncpg_dsn, is_transient
from servicekit.driver import OnDriver

pytestmark = pytest.mark.infra

LOCK = OnDriver(text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
                     "FROM (SELECT k FROM unnest(:keys) AS k ORDER BY k) AS ordered")
                .bindparams(bindparam("keys", type_=ARRAY(Text))))


async def _table(db: Database) -> str:
    name = f"driver_{uuid.uuid4().hex[:8]}"
    async with db.transaction() as session:
        await session.execute(text(f"CREATE TABLE {name} (k text PRIMARY KEY, n integer NOT NULL)"))
    return name


async def test_the_first_statement_of_a_unit_of_work_is_inside_its_transaction(infra: Infra) -> None:
    url = infra.database_url("postgres")
    db = Database.connect(url, 2)
    other = await asyncpg.connect(asyncpg_dsn(url))
    try:
        name = await _table(db)
        insert = OnDriver(text(f"INSERT INTO {name} (k, n) SELECT * FROM unnest(CAST(:ks AS text[]), "
                               "CAST(:ns AS integer[])) RETURNING k"))
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                rows = await insert.fetch(session, {"ks": ["a", "b"], "ns": [1, 2]})
                assert sorted(r["k"] for r in rows) == ["a", "b"]  # records by column name
                assert await other.fetchval(f"SELECT count(*) FROM {name}") == 0  # not committed yet
                raise RuntimeError("the unit of work fails")
        assert await other.fetchval(f"SELECT count(*) FROM {name}") == 0  # its rollback undid them
        async with db.transaction() as session:
            await insert.fetch(session, {"ks": ["c"], "ns": [3]})
        assert await other.fetchval(f"SELECT n FROM {name} WHERE k = 'c'") == 3
    finally:
        await other.close()
        await db.dispose()


async def test_a_lock_taken_on_the_driver_is_held_until_the_transaction_ends(infra: Infra) -> None:
    url = infra.database_url("postgres")
    db = Database.connect(url, 2)
    other = await asyncpg.connect(asyncpg_dsn(url))
    key = f"driver-test/{uuid.uuid4()}"
    taken = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))"
    try:
        async with db.transaction() as session:
            [row] = await LOCK.fetch(session, {"keys": [key]})
            assert row[0] == 1
            async with other.transaction():
                assert await other.fetchval(taken, key) is False  # held by the unit of work
        async with other.transaction():
            assert await other.fetchval(taken, key) is True  # released at its commit
    finally:
        await other.close()
        await db.dispose()


async def test_errors_are_sqlalchemys_with_the_sqlstate(infra: Infra) -> None:
    db = Database.connect(infra.database_url("postgres"), 1)
    try:
        name = await _table(db)
        insert = OnDriver(text(f"INSERT INTO {name} (k, n) VALUES (:k, :n)"))
        async with db.transaction() as session:
            await insert.fetch(session, {"k": "a", "n": 1})
        with pytest.raises(IntegrityError) as clash:  # what a chunk's retry on a clash looks for
            async with db.transaction() as session:
                await insert.fetch(session, {"k": "a", "n": 2})
        assert clash.value.orig.sqlstate == "23505"  # type: ignore[union-attr]
        deadlock = OnDriver(text("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$"))
        with pytest.raises(DBAPIError) as busy:
            async with db.transaction() as session:
                await deadlock.fetch(session)
        assert is_transient(busy.value)
        async with db.transaction() as session:  # the pooled connection is usable after both
            assert (await LOCK.fetch(session, {"keys": ["x"]}))[0][0] == 1
    finally:
        await db.dispose()
