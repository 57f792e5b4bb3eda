"""Every service's migration chain builds the outbox the relay is written for (servicekit's
plumbing steps, v1, v2 then v3): the same columns and indexes as `outbox_table`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from credit_ledger.bootstrap import MIGRATIONS as CREDIT_LEDGER
from enforcement.bootstrap import MIGRATIONS as ENFORCEMENT
from evaluation.bootstrap import MIGRATIONS as EVALUATION
from parcel_registry.bootstrap import MIGRATIONS as PARCEL_REGISTRY
from servicekit.outbox import outbox_table
from servicekit.settings import ServiceSettings

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("migrations", [PARCEL_REGISTRY, EVALUATION, CREDIT_LEDGER, ENFORCEMENT],
                         ids=["parcel-registry", "evaluation", "credit-ledger", "enforcement"])
async def test_each_service_chain_builds_the_outbox_of_the_code(make_settings: Any, migrations: Path) -> None:
    settings = await make_settings(ServiceSettings, migrations)
    metadata = MetaData()
    outbox_table(metadata)
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"include_name": _outbox_only}), metadata))
            indexes = await conn.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("outbox")
                                                     if not i.get("duplicates_constraint")})
    finally:
        await engine.dispose()
    assert diff == []
    # No index over published_at any more; the live lane's own partial index (v3).
    assert indexes == {"ix_outbox_unpublished", "ix_outbox_marked", "ix_outbox_live"}


def _outbox_only(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    return type_ != "table" or name == "outbox"
