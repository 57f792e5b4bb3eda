"""Composition root of credit-ledger: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from credit_ledger.adapters.rate_limits import ClientRateLimit
from credit_ledger.adapters.tables import plumbing as plumbing_tables
from credit_ledger.domain.penetration import RelationsCounted
from credit_ledger.entrypoints.consumers import SUBSCRIPTIONS
from credit_ledger.entrypoints.http import PROBLEMS, routers
from credit_ledger.service_layer.anchoring import anchor_if_advanced
from credit_ledger.service_layer.context import Context
from credit_ledger.service_layer.queries import verify_ledger
from credit_ledger.settings import Settings
from landgrade_events.credit import ANCHORS, BENEFITS, RECORDS
from servicekit.http import create_app
from servicekit.logging import get_logger
from servicekit.notices import sending_notices
from servicekit.runtime import Job
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [RECORDS, BENEFITS, ANCHORS]


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True) -> FastAPI:
    config = Settings.narrowed(settings)
    plumbing = Plumbing.build(config, plumbing_tables)
    context = Context(plumbing.storage, anchor_interval_seconds=config.anchor_interval_seconds,
                      public_rate_limit=ClientRateLimit(config.public_rate_limit), clock=config.clock().now,
                      public_list=config.public_list(), equity_rule=config.equity_rule(),
                      relations_counted=RelationsCounted(config.penetration_relations),
                      notice_policy=config.notice_policy(), ledger_verified=plumbing.metrics.ledger_verified)
    consumers = [plumbing.subscribe(subscription, context.uow_on) for subscription in SUBSCRIPTIONS]
    runtime = plumbing.runtime(publishes=PUBLISHES, consumers=consumers,
                               jobs=[anchoring(context), sending_notices(context.uow, config, context.clock),
                                     verifying(context, config)])
    return create_app(runtime, routers(), title="Credit ledger", run_background=run_background,
                      description="Credit records with penetration (地-企-责任人-责任人关联企业), the benefits "
                                  "register and public disclosure.",
                      context=context, problems=PROBLEMS)


def anchoring(context: Context) -> Job:
    """Anchors the chain head every `anchor_interval_seconds`, when records were appended since."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=context.anchor_interval_seconds)
            except TimeoutError:
                pass
            if stop.is_set():
                return
            await anchor_if_advanced(context.uow(), context.clock())

    return run


def verifying(context: Context, config: Settings) -> Job:
    """Recomputes the hash chain every `ledger_verify_interval_seconds` (first after one interval):
    a record edited, deleted or reordered in the database is found without anyone asking."""
    log = get_logger("ledger")

    async def run(stop: asyncio.Event) -> None:
        if config.ledger_verify_interval_seconds <= 0:
            return
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=config.ledger_verify_interval_seconds)
            except TimeoutError:
                pass
            if stop.is_set():
                return
            try:
                result, _ = await verify_ledger(context.uow())
            except Exception as error:
                log.warning("ledger_verification_not_run", error=repr(error))
                continue
            context.ledger_verified(result.ok)
            if not result.ok:
                log.error("ledger_verification_failed", broken_at=result.broken_at,
                          problem=result.problem.value if result.problem else None)

    return run


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
