"""Single-filing POSTs that arrive while others are being written go into the database together.

A chunk transaction costs about a dozen statements however few filings it holds. Under load,
requests queue here and a writer takes everything waiting (up to a chunk) into one
`submit_chunk`, whose per-line results answer each request exactly as a chunk of one would:
set-based statements are shared, and nothing waits for a timer (an idle service writes a lone
filing at once). A few writers run at a time so their database round trips overlap. If a shared
chunk fails for any reason, its filings are written one by one, so one bad line never fails others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.service_layer.filings import LineResult, submit_chunk
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork

Waiting = tuple[RevenueFiling, str, "asyncio.Future[LineResult]"]


@dataclass
class FilingCoalescer:
    unit_of_work: Callable[[], RegistryUnitOfWork]
    writers: int  # the `filing_writers` setting
    max_chunk: int = 200
    _waiting: list[Waiting] = field(default_factory=list)
    _running: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def submit(self, filing: RevenueFiling, received_by: str) -> LineResult:
        future: asyncio.Future[LineResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((filing, received_by, future))
        if self._running < self.writers:
            self._running += 1
            task = asyncio.get_running_loop().create_task(self._write())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                taken, self._waiting = self._waiting[: self.max_chunk], self._waiting[self.max_chunk :]
                by_sender: dict[str, list[Waiting]] = {}
                for item in taken:
                    by_sender.setdefault(item[1], []).append(item)
                for received_by, items in by_sender.items():
                    await self._chunk(received_by, items)
        finally:
            self._running -= 1

    async def _chunk(self, received_by: str, items: list[Waiting]) -> None:
        try:
            lines = [(n, f) for n, (f, _, _) in enumerate(items)]
            results = await submit_chunk(self.unit_of_work(), lines, received_by)
        except Exception as error:
            if len(items) == 1:
                _settle(items[0][2], error=error)
                return
            for item in items:  # isolate the failure: each filing on its own
                await self._chunk(received_by, [item])
            return
        for (_, _, future), result in zip(items, results, strict=True):
            _settle(future, result=result)


def _settle(future: asyncio.Future[LineResult], result: LineResult | None = None,
            error: BaseException | None = None) -> None:
    if future.done():  # the request went away (client disconnect); its filing is written anyway
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)
