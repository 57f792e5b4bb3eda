"""Composition root of credit-ledger: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from credit_ledger.adapters.notice_channels import Channel, GovMessagingChannel, SmsChannel, SmtpChannel
from credit_ledger.adapters.rate_limits import ClientRateLimit
from credit_ledger.adapters.tables import plumbing as plumbing_tables
from credit_ledger.entrypoints.consumers import SUBSCRIPTIONS
from credit_ledger.entrypoints.http import PROBLEMS, routers
from credit_ledger.service_layer.anchoring import anchor_if_advanced
from credit_ledger.service_layer.context import Context
from credit_ledger.service_layer.notices import send_due
from credit_ledger.service_layer.queries import verify_ledger
from credit_ledger.settings import Settings
from landgrade_events.credit import ANCHORS, BENEFITS, RECORDS
from servicekit.http import create_app
from servicekit.logging import get_logger
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
                      notice_policy=config.notice_policy(), ledger_verified=plumbing.metrics.ledger_verified)
    consumers = [plumbing.subscribe(subscription, context.uow_on) for subscription in SUBSCRIPTIONS]
    runtime = plumbing.runtime(publishes=PUBLISHES, consumers=consumers,
                               jobs=[anchoring(context), sending_notices(context, config), verifying(context, config)])
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


def notice_channel(config: Settings) -> Channel:
    if config.notice_channel == "sms":
        return SmsChannel()
    if config.notice_channel == "gov":
        return GovMessagingChannel()
    return SmtpChannel(config.notice_smtp_host, config.notice_smtp_port, config.notice_smtp_sender,
                       config.notice_smtp_username, config.notice_smtp_password, config.notice_smtp_start_tls)


def sending_notices(context: Context, config: Settings) -> Job:
    """Delivers waiting notices every `notice_send_interval_seconds`; a failed round (database
    away) is logged and tried again next round."""
    channel, log = notice_channel(config), get_logger("notices")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await send_due(context.uow(), channel, context.clock, config.notice_max_attempts)
            except Exception as error:
                log.warning("notice_round_failed", error=repr(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=config.notice_send_interval_seconds)
            except TimeoutError:
                pass

    return run


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
