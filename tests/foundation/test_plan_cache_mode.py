"""Every service connection asks PostgreSQL to plan each statement for its own values: a generic
plan cached while a table was nearly empty went on scanning the whole table once it had grown
(see `ServiceSettings.database_plan_cache_mode`). Behind a pooler that refuses startup settings,
"auto" sends none and the server's own setting applies."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from landgrade.testing import Infra
from servicekit.db import Database
from servicekit.settings import ServiceSettings

pytestmark = pytest.mark.infra


@pytest.mark.parametrize(("mode", "expected"), [(None, "force_custom_plan"), ("auto", "auto"),
                                                ("force_generic_plan", "force_generic_plan")])
async def test_service_connections_use_the_configured_plan_cache_mode(
    infra: Infra, mode: str | None, expected: str
) -> None:
    settings = ServiceSettings(database_url=infra.database_url("postgres"),
                               **({"database_plan_cache_mode": mode} if mode else {}))
    db = Database.connect(settings.database_url, 2, settings.database_plan_cache_mode)
    try:
        async with db.transaction() as first, db.transaction() as second:  # two pooled connections
            for session in (first, second):
                assert await session.scalar(text("SHOW plan_cache_mode")) == expected
    finally:
        await db.dispose()


async def test_one_transaction_can_plan_otherwise_and_the_next_is_back_to_the_default(infra: Infra) -> None:
    db = Database.connect(infra.database_url("postgres"), 1)
    try:
        async with db.transaction(plan_cache_mode="auto") as session:
            assert await session.scalar(text("SHOW plan_cache_mode")) == "auto"
        async with db.transaction() as session:  # the same pooled connection
            assert await session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
        with pytest.raises(ValueError, match="plan_cache_mode"):
            async with db.transaction(plan_cache_mode="auto; DROP TABLE x"):
                pass
    finally:
        await db.dispose()
