"""An import locks its parcels in a bounded number of advisory locks: PostgreSQL's lock table is
shared by every session (6,400 entries by default), and a sheet of 40,000 rows that took one lock
per parcel failed with "out of shared memory" (a 500; found by `make bench`'s import section)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import text

from parcel_registry.adapters.parcel_repository import LOCK_BUCKETS, ParcelRepository
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings

HELD = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")


async def test_any_number_of_parcels_is_locked_in_at_most_the_bucket_count(
        make_settings: Callable[..., Awaitable[Settings]]) -> None:
    app = build_app(await make_settings(Settings, MIGRATIONS), run_background=False)
    db = app.state.context.storage.db
    async with db.transaction() as session:
        await ParcelRepository(session).lock_all([f"LOCK-{i:05d}" for i in range(20_000)])
        held = await session.scalar(HELD)
    assert 0 < held <= LOCK_BUCKETS
    async with db.transaction() as session:  # one parcel, one lock, the same one its import takes
        await ParcelRepository(session).lock("LOCK-00042")
        assert await session.scalar(HELD) == 1
    await db.dispose()


async def test_a_sheet_s_worth_of_parcels_is_read_in_one_statement(
        make_settings: Callable[..., Awaitable[Settings]]) -> None:
    """Regression: the ids went as an IN list, past the driver's 32,767 parameters (a 503)."""
    app = build_app(await make_settings(Settings, MIGRATIONS), run_background=False)
    db = app.state.context.storage.db
    async with db.transaction() as session:
        assert await ParcelRepository(session).get_parcels([f"NONE-{i:05d}" for i in range(40_000)]) == {}
    await db.dispose()
