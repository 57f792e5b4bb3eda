"""A yearly run's progress, written beside the run without holding it up.

Each progress write is its own small transaction (readers must see it while the run's long
transaction is still open), and its commit waits for the disk, which grading must not wait on. So
writes go out in the background: while one is in flight, later reports are merged and only the
newest values are written next. `flush` waits until
everything reported is on record; the run calls it before it touches its own row, which the
progress writes would otherwise wait on until the run commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from servicekit.logging import get_logger

log = get_logger("evaluation_run")

Write = Callable[[dict[str, Any]], Awaitable[None]]


class ProgressReporter:
    def __init__(self, write: Write) -> None:
        self._write = write
        self._pending: dict[str, Any] = {}
        self._writer: asyncio.Task[None] | None = None

    def report(self, **values: Any) -> None:
        self._pending.update(values)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())

    async def flush(self) -> None:
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def _drain(self) -> None:
        while self._pending:
            values, self._pending = self._pending, {}
            try:
                await self._write(values)
            except Exception as error:  # progress is a courtesy to readers; the run's outcome is not
                log.warning("run_progress_not_written", fields=sorted(values), error=type(error).__name__)
