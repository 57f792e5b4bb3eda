"""Alembic per service: `env.py` calls `run_env(metadata)`; the composition root calls `upgrade`.

`upgrade` waits for the database server, creates the service's database when it is missing
(local and CI runs; production databases exist already) and migrates to head.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine


async def ensure_database(url: str, timeout: float = 60.0) -> None:
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while True:
            try:
                async with admin.connect() as conn:
                    exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                               {"n": target.database})
                    if not exists:
                        await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                    return
            except OSError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await admin.dispose()


async def upgrade(url: str, migrations_dir: Path, revision: str = "head") -> None:
    await ensure_database(url)
    await asyncio.to_thread(_upgrade_sync, url, migrations_dir, revision)


PLUMBING_MIGRATIONS = Path(__file__).parent / "plumbing_migrations"


def version_locations(migrations_dir: Path) -> str:
    """Every service's chain starts with the plumbing revision kept here, then its own `versions/`."""
    return os.pathsep.join([str(PLUMBING_MIGRATIONS), str(migrations_dir / "versions")])


MIGRATION_LOCK_ID = 0x6C67_6D69  # replicas starting together migrate one at a time


def _upgrade_sync(url: str, migrations_dir: Path, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", version_locations(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["migration_lock"] = True
    command.upgrade(config, revision)


def run_env(metadata: MetaData) -> None:
    """Body of every service's `migrations/env.py`."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        import os

        url = os.environ["DATABASE_URL"]

    def migrate(connection: Connection) -> None:
        # A transaction-scoped advisory lock: a second replica waits here, then finds nothing to do.
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(online())
