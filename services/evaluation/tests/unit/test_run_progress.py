"""A run's progress goes out in the background: never holding the run up, never losing the last word."""

from __future__ import annotations

import asyncio
from typing import Any

from evaluation.service_layer.run_progress import ProgressReporter


class SlowStore:
    """Stands in for the progress row: each write takes a while, like a commit waiting for the disk."""

    def __init__(self, fail_first: bool = False) -> None:
        self.row: dict[str, Any] = {}
        self.writes: list[dict[str, Any]] = []
        self.release = asyncio.Event()
        self.fail_first = fail_first

    async def write(self, values: dict[str, Any]) -> None:
        await self.release.wait()
        self.writes.append(values)
        if self.fail_first and len(self.writes) == 1:
            raise ConnectionError("database went away")
        self.row.update(values)


async def test_reports_made_while_a_write_is_in_flight_are_merged_into_one_write_of_the_newest_values() -> None:
    store = SlowStore()
    progress = ProgressReporter(store.write)
    progress.report(graded=2000)
    await asyncio.sleep(0)  # the first write is now waiting on the store
    for graded in (4000, 6000, 8000):
        progress.report(graded=graded)  # returns at once: the run goes on grading
    progress.report(phase="writing")
    store.release.set()
    await progress.flush()
    assert store.writes == [{"graded": 2000}, {"graded": 8000, "phase": "writing"}]
    assert store.row == {"graded": 8000, "phase": "writing"}


async def test_flush_waits_until_everything_reported_is_written() -> None:
    store = SlowStore()
    progress = ProgressReporter(store.write)
    progress.report(graded=10)
    flushing = asyncio.create_task(progress.flush())
    await asyncio.sleep(0.01)
    assert not flushing.done() and store.row == {}
    store.release.set()
    await flushing
    assert store.row == {"graded": 10}


async def test_a_failed_progress_write_does_not_stop_later_ones_or_the_run() -> None:
    store = SlowStore(fail_first=True)
    progress = ProgressReporter(store.write)
    store.release.set()
    progress.report(graded=1)
    await progress.flush()  # does not raise: progress is for readers, the run decides its own outcome
    progress.report(graded=2)
    await progress.flush()
    assert store.row == {"graded": 2}
