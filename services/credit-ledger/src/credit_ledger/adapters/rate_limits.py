"""Per-client request budgets for the public endpoints, kept in this process's memory (`limits`,
moving window): a client that spends its budget waits until requests leave the window."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


class ClientRateLimit:
    def __init__(self, limit: str, namespace: str = "public") -> None:
        self.item = parse(limit)  # e.g. "120/minute"; an unreadable setting fails at start-up
        self.namespace = namespace
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, client: str) -> int | None:
        """Counts one request of `client`: None when it is within the budget, otherwise the
        whole seconds until the window admits it again (at least 1), for `Retry-After`."""
        if await self._limiter.hit(self.item, self.namespace, client):
            return None
        stats = await self._limiter.get_window_stats(self.item, self.namespace, client)
        return max(1, math.ceil(stats.reset_time - time.time()))
