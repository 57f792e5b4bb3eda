"""Composition root of enforcement: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.adapters.tables import plumbing as plumbing_tables
from enforcement.entrypoints.consumers import SUBSCRIPTIONS
from enforcement.entrypoints.http import PROBLEMS, routers
from enforcement.service_layer.cases import flag_overdue_cases
from enforcement.service_layer.context import Context
from enforcement.service_layer.inspections import expire_pending_inspections
from enforcement.settings import Settings
from landgrade_events.enforcement import CASES, FINDINGS
from servicekit.http import create_app
from servicekit.logging import get_logger
from servicekit.notices import sending_notices
from servicekit.runtime import Job
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [FINDINGS, CASES]


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True,
              clock: Callable[[], datetime] | None = None) -> FastAPI:
    """`clock` lets tests move time forward (overdue checks) without waiting for it; otherwise the
    settings' clock (Beijing time; `CLOCK_AT` fixes it)."""
    own = Settings.narrowed(settings)
    clock = clock or own.clock().now
    plumbing = Plumbing.build(own, plumbing_tables)
    ctx = Context(
        storage=plumbing.storage, evidence_store=EvidenceStore(own.evidence_dir),
        evidence_policy=own.evidence_policy(), due_policy=own.due_policy(), clock=clock,
        cases_from_provisional_grades=own.cases_from_provisional_grades, task_notices=own.task_notice_policy())
    consumers = [plumbing.subscribe(subscription, ctx.uow_on) for subscription in SUBSCRIPTIONS]

    async def overdue_check() -> int:
        return await flag_overdue_cases(ctx.uow())

    async def pending_expiry() -> int:
        return await expire_pending_inspections(ctx.uow(), own.pending_inspection_days)

    runtime = plumbing.runtime(publishes=PUBLISHES, consumers=consumers,
                               jobs=[_every(own.overdue_check_seconds, overdue_check, "overdue_check"),
                                     _every(own.pending_check_seconds, pending_expiry, "pending_expiry"),
                                     sending_notices(ctx.uow, own, clock)])
    return create_app(runtime, routers(), title="Enforcement", run_background=run_background,
                      description="Street-office inspections, enforcement cases and renewal guidance.",
                      context=ctx, problems=PROBLEMS)


def _every(seconds: float, check: Callable[[], Awaitable[int]], name: str) -> Job:
    """Runs `check` (returning how many items it handled) every `seconds` beside the HTTP app. A
    failed round (database away) is logged and retried next round: the check is idempotent."""
    log = get_logger(name.replace("_", "-"))

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if count := await check():
                    log.info(f"{name}_done", count=count)
            except Exception as error:
                log.warning(f"{name}_failed", error=repr(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=seconds)
            except TimeoutError:
                pass

    return run


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
