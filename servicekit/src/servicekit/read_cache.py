"""Answers to frequent reads, kept in memory and dropped when PostgreSQL says their rows changed.

The database announces changes (`NOTIFY`, sent when the writing transaction commits, by a trigger
so that no writer can forget). A `ChangeFeed` listens and calls `ReadCache.invalidate` with the
tag the trigger sends (a key such as a parcel id, or `*` for "anything may have changed").

Two races are closed here:
- a read that started before a change and finishes after its notice arrived must not store its
  stale answer: `put` takes the generation seen before the read and stores only if no notice
  came since;
- notices missed while the listening connection was down: the cache serves nothing while the feed
  is not live, and empties itself whenever the feed (re)connects.
What remains is the notice's own delivery delay (milliseconds), which must not show to the caller
who made the change: a grade read right after an upheld objection answered the old grade. So
writers also name what they change (`changed`), and the cache drops those answers the moment the
transaction commits in this process (`committed`, a `Database.commit_listeners` entry), before
the writer's response goes out. Other processes still learn of it from the notice.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import asyncpg

from servicekit.logging import get_logger

EVERYTHING = "*"
_CHANGED = "read_cache_changed"


def changed(session: Any, *tags: str) -> None:
    """This transaction changes what `tags` stand for (e.g. parcel ids, or `EVERYTHING`)."""
    session.info.setdefault(_CHANGED, set()).update(tags)


class ReadCache:
    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self.live = False  # set by the feed: no notices can be missed while it is True
        self.generation = 0
        self._entries: OrderedDict[Any, tuple[str, bytes]] = OrderedDict()
        self._by_tag: dict[str, set[Any]] = {}
        self.hits = self.misses = 0

    def get(self, key: Any) -> bytes | None:
        found = self._entries.get(key) if self.live else None
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return found[1]

    def put(self, key: Any, tag: str, value: bytes, seen_generation: int) -> None:
        """Stores `value` read after `seen_generation` was current, unless a change came since."""
        if not self.live or seen_generation != self.generation:
            return
        self._entries[key] = (tag, value)
        self._by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries:
            old_key, (old_tag, _) = self._entries.popitem(last=False)
            self._forget(old_key, old_tag)

    def invalidate(self, tag: str) -> None:
        """A change notice arrived."""
        self._drop(tag)

    def committed(self, info: dict[Any, Any]) -> None:
        """A transaction of this process committed: drop what it changed (see `changed`)."""
        for tag in info.pop(_CHANGED, ()):
            self._drop(tag)

    def _drop(self, tag: str) -> None:
        self.generation += 1
        if tag == EVERYTHING:
            self._entries.clear()
            self._by_tag.clear()
            return
        for key in self._by_tag.pop(tag, set()):
            self._entries.pop(key, None)

    def set_live(self, live: bool) -> None:
        """Connected anew or lost: whatever is stored may have changed unseen."""
        self.invalidate(EVERYTHING)
        self.live = live

    def _forget(self, key: Any, tag: str) -> None:
        keys = self._by_tag.get(tag)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_tag[tag]


class ChangeFeed:
    """LISTENs on `channel` with a connection of its own; reconnects with backoff when it drops."""

    def __init__(self, dsn: str, channel: str, cache: ReadCache,
                 connect: Callable[..., Any] = asyncpg.connect) -> None:
        self.dsn, self.channel, self.cache, self._connect = dsn, channel, cache, connect
        self.log = get_logger("change_feed").bind(channel=channel)

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            try:
                await self._listen(stop)
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.log.warning("change_feed_down", error=repr(error), retry_in=backoff)
            if not stop.is_set():
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _listen(self, stop: asyncio.Event) -> None:
        """Live from LISTEN until the connection is lost or the service stops."""
        connection = await self._connect(self.dsn, server_settings={"application_name": "change-feed"})
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _c: lost.set())
            await connection.add_listener(self.channel, self._notified)
            self.cache.set_live(True)
            await _first(stop.wait(), lost.wait(), _closed(connection))
        finally:
            self.cache.set_live(False)
            if not connection.is_closed():
                await connection.close(timeout=2)

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.cache.invalidate(payload or EVERYTHING)


async def _closed(connection: Any) -> None:
    """Returns when the connection is gone (a server restart may not say so otherwise)."""
    while not connection.is_closed():
        await asyncio.sleep(1.0)
        try:
            await connection.execute("SELECT 1")
        except Exception:
            return


async def _first(*awaitables: Any) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
