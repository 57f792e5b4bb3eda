"""The relay's floor: an outbox id below which no row will ever again need publishing, so that a
claim starts its index scan there instead of at the start of the table.

Why a floor at all: published rows leave their entries in the index the claim scans until vacuum
removes them, and a scan from the start walks every one of them (a heap visit each, until no
snapshot can see the row any more). With the floor a claim reads only what lies above the rows
already published.

Why not "greater than the last id published": ids are drawn when a row is written and become
visible when its transaction commits, in another order. A transaction may draw id 5, stay open
while ids 6..900 commit and are published, and commit afterwards: row 5 must still go out.

The rule. A *fence* is (`issued`, `writers`), read in this order in two statements:

1. `issued`: the outbox sequence's last value. Every id up to it has been drawn already.
2. `writers`: the transactions (virtual ids) that hold ROW EXCLUSIVE on the outbox, other than the
   relay's own session. Writing a row (INSERT, COPY) takes that lock before the row's id is drawn
   and keeps it until its transaction ends, and the lock is released only after the commit is
   visible. So every transaction that drew an id up to `issued` and has not ended is in `writers`.

Once none of `writers` holds the lock any more (a later read of the same view), every row with an
id up to `issued` is committed, and visible to any snapshot taken from then on, or will never
exist. The next claim's snapshot is taken after that read; if its first row has id `r` (none:
infinity), no unpublished row with an id in [floor, min(r, issued + 1)) exists or ever will, and
that becomes the floor. Rows below the old floor were settled the same way before (induction from
the floor 0, which hides nothing). A fence is read after a batch that published rows, at most every
`FENCE_SECONDS`, and the check uses the same read of `writers` as the next fence.

What this needs, each held by the project and checked where it can be:
- ids come only from the outbox's identity sequence, by inserting rows (never an explicit id or a
  `nextval` outside an insert), and are never reused (no RESTART);
- the sequence hands out values one at a time (CACHE 1, PostgreSQL's default, checked when the
  relay takes the role: with a cache, a session could later use a value below `issued` in a
  transaction that began after the fence, and the relay then keeps the floor at 0);
- the floor lives only in the role holder's memory and starts at 0 whenever a relay takes the role.

A long writer (the yearly run's transaction) keeps the fence from clearing while it lasts; the
floor then stays where it was, which is always safe, and claims walk only the rows published since.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

_SEQUENCE = text("SELECT CAST(pg_get_serial_sequence(:table, 'id') AS regclass)::oid")
_ONE_AT_A_TIME = text("SELECT seqcache = 1 AND seqincrement > 0 FROM pg_sequence WHERE seqrelid = :seq")
_ISSUED = text("SELECT pg_sequence_last_value(CAST(:seq AS oid))")
# Virtual transaction ids, unique for as long as the transaction lasts (and after: a backend's
# next transaction gets a new one); a prepared transaction's lock has no pid, and counts.
_WRITERS = text("SELECT coalesce(array_agg(virtualtransaction), '{}') FROM pg_locks "
                "WHERE locktype = 'relation' AND relation = CAST(:table AS regclass) "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND mode = 'RowExclusiveLock' AND pid IS DISTINCT FROM pg_backend_pid()")


# Two statements per fence: once per batch they cost a tenth of the relay's time, while the floor
# only has to keep up with what was published since the last fence (a claim walks over that).
FENCE_SECONDS = 0.25


@dataclass(frozen=True)
class Fence:
    issued: int
    writers: frozenset[str]


class Floor:
    """The floor of one role holder's claims (see the module docstring); 0 until a fence clears."""

    def __init__(self, table: Table) -> None:
        self.table = table.name
        self.value = 0
        self.enabled = False
        self._sequence: int | None = None
        self._fence: Fence | None = None
        self._settled: int | None = None  # `issued` of a cleared fence, for the next claim to apply
        self._fenced_at = 0.0

    async def start(self, session: AsyncSession) -> bool:
        """At the start of a role: finds the sequence and whether it hands out one value at a time."""
        self.value, self._fence, self._settled = 0, None, None
        self._sequence = await session.scalar(_SEQUENCE, {"table": self.table})
        self.enabled = self._sequence is not None and bool(
            await session.scalar(_ONE_AT_A_TIME, {"seq": self._sequence}))
        return self.enabled

    def claimed(self, first_id: int | None) -> None:
        """After a claim whose snapshot followed the last `fence` call: the rows it saw begin at
        `first_id` (None: it saw none)."""
        if self._settled is None:
            return
        bound = self._settled + 1
        self.value = max(self.value, bound if first_id is None else min(first_id, bound))
        self._settled = None

    async def fence(self, session: AsyncSession) -> None:
        """Checks the pending fence and reads the next one (issued first, then the writers)."""
        if not self.enabled or time.monotonic() - self._fenced_at < FENCE_SECONDS:
            return
        self._fenced_at = time.monotonic()
        issued = await session.scalar(_ISSUED, {"seq": self._sequence})
        writers = frozenset(await session.scalar(_WRITERS, {"table": self.table}) or ())
        if self._fence is not None and not self._fence.writers & writers:
            self._settled = self._fence.issued
        self._fence = None if issued is None else Fence(int(issued), writers)
