"""The read cache never serves an answer older than a change notice it has seen, nor anything
while it could be missing notices; and its feed follows a real PostgreSQL's NOTIFY."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from landgrade.testing import eventually
from servicekit.db import asyncpg_dsn
from servicekit.read_cache import EVERYTHING, ChangeFeed, ReadCache


def _live() -> ReadCache:
    cache = ReadCache(max_entries=3)
    cache.set_live(True)
    return cache


def test_nothing_is_served_or_kept_while_the_feed_is_not_live() -> None:
    cache = ReadCache()
    cache.put("k", "P-1", b"doc", cache.generation)
    assert cache.get("k") is None
    cache = _live()
    cache.put("k", "P-1", b"doc", cache.generation)
    assert cache.get("k") == b"doc"
    cache.set_live(False)
    assert cache.get("k") is None
    cache.set_live(True)
    assert cache.get("k") is None  # reconnected: notices may have been missed meanwhile


def test_an_answer_read_before_a_change_notice_is_not_kept() -> None:
    cache = _live()
    seen = cache.generation  # the read starts
    cache.invalidate("P-1")  # the row changes and its notice arrives while the read is under way
    cache.put(("P-1", None), "P-1", b"stale", seen)
    assert cache.get(("P-1", None)) is None


def test_a_notice_drops_every_answer_about_its_tag_and_only_those() -> None:
    cache = _live()
    cache.put(("P-1", None), "P-1", b"latest", cache.generation)
    cache.put(("P-1", 2024), "P-1", b"2024", cache.generation)
    cache.put(("P-2", None), "P-2", b"other", cache.generation)
    cache.invalidate("P-1")
    assert cache.get(("P-1", None)) is None and cache.get(("P-1", 2024)) is None
    assert cache.get(("P-2", None)) == b"other"
    cache.invalidate(EVERYTHING)
    assert cache.get(("P-2", None)) is None


def test_the_oldest_answers_make_room() -> None:
    cache = _live()
    for n in range(5):
        cache.put(n, f"P-{n}", b"x", cache.generation)
    assert [cache.get(n) for n in range(5)] == [None, None, b"x", b"x", b"x"]
    cache.invalidate("P-0")  # its entry is gone already: nothing to do, nothing breaks
    assert cache.get(4) == b"x"


@pytest.mark.infra
async def test_the_feed_follows_notify_and_recovers_from_a_dropped_connection(infra) -> None:
    dsn = asyncpg_dsn(infra.database_url("postgres"))
    cache, stop = ReadCache(), asyncio.Event()
    feed = asyncio.create_task(ChangeFeed(dsn, "test_changes", cache).run(stop))
    admin = await asyncpg.connect(dsn)
    try:
        await eventually(lambda: cache.live or None)
        cache.put("k", "P-1", b"doc", cache.generation)
        await admin.execute("SELECT pg_notify('test_changes', 'P-1')")
        await eventually(lambda: cache.get("k") is None or None)

        cache.put("k", "P-1", b"doc", cache.generation)
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = 'change-feed'")
        await eventually(lambda: (not cache.live) or None, timeout=5)
        assert cache.get("k") is None
        await eventually(lambda: cache.live or None, timeout=10)  # listening again
        cache.put("k", "P-1", b"doc", cache.generation)
        await admin.execute("SELECT pg_notify('test_changes', '*')")
        await eventually(lambda: cache.get("k") is None or None)
    finally:
        stop.set()
        await feed
        await admin.close()
