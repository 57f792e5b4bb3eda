"""Writing a batch's chunks one after another while the next chunk's lines are being parsed.

Chunks still commit strictly in order, one at a time (a later chunk may correct a filing of an
earlier one, so it must start after that one committed); only parsing overlaps the database's
work on the chunk before. A chunk that fails fails the call when the next one is handed over (or
at the end), as it did before; a call that fails while parsing first lets the chunk in flight
finish, so whatever was written is whole chunks, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.entrypoints.batch_lines import BatchTally
from parcel_registry.service_layer.filings import LineResult, submit_chunk
from parcel_registry.service_layer.registry import Registry

YIELD_EVERY = 50  # lines parsed between turns given to the chunk in flight (its next statement)


class ChunkWriter:
    def __init__(self, reg: Registry, received_by: str, tally: BatchTally) -> None:
        self.reg, self.received_by, self.tally = reg, received_by, tally
        self._in_flight: asyncio.Task[list[LineResult]] | None = None

    async def write(self, chunk: Sequence[tuple[int, RevenueFiling]]) -> None:
        """Waits for the chunk before, then starts writing this one and returns."""
        await self.settle()
        self._in_flight = asyncio.create_task(submit_chunk(self.reg, chunk, self.received_by, bulk=True))

    async def pause(self, parsed: int) -> None:
        """Called per line parsed: now and then lets the chunk in flight send its next statement
        (parsing alone would not give it a turn until the next chunk is handed over)."""
        if self._in_flight is not None and parsed % YIELD_EVERY == 0:
            await asyncio.sleep(0)

    async def settle(self) -> None:
        """Waits for the chunk in flight, if any, and counts its lines."""
        task, self._in_flight = self._in_flight, None
        if task is not None:
            self.tally.add(await task)
