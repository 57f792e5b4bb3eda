"""The scheduled overdue check, run beside the HTTP app by the service runtime."""

from __future__ import annotations

import asyncio

from enforcement.service_layer.cases import flag_overdue_cases
from enforcement.service_layer.context import Context
from servicekit.logging import get_logger
from servicekit.runtime import Job


def overdue_check(ctx: Context, every_seconds: float) -> Job:
    log = get_logger("overdue-check")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                flagged = await flag_overdue_cases(ctx)
                if flagged:
                    log.info("cases_flagged_overdue", count=flagged)
            except Exception as error:  # database away: try again next round, the check is idempotent
                log.warning("overdue_check_failed", error=repr(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)
            except TimeoutError:
                pass

    return run
