"""Composition root of credit-ledger: the one place that builds and wires everything."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from credit_ledger.adapters.tables import plumbing as plumbing_tables
from credit_ledger.entrypoints.consumers import TOPICS, batch_handlers, handlers
from credit_ledger.entrypoints.deps import CreditContext
from credit_ledger.entrypoints.http import routers
from credit_ledger.service_layer.anchoring import anchor_job
from credit_ledger.settings import Settings
from landgrade_events.credit import ANCHORS, BENEFITS, RECORDS
from servicekit.http import create_app
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [RECORDS, BENEFITS, ANCHORS]


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True) -> FastAPI:
    settings = settings or Settings()
    plumbing = Plumbing.build(settings, plumbing_tables)
    batched = batch_handlers(plumbing.outbox)
    consumers = [plumbing.consumer(name, TOPICS[name], by_type, batched.get(name))
                 for name, by_type in handlers(plumbing.outbox).items()]
    interval = getattr(settings, "anchor_interval_seconds", Settings.model_fields["anchor_interval_seconds"].default)
    runtime = plumbing.runtime(publishes=PUBLISHES, consumers=consumers,
                               jobs=[anchor_job(plumbing.db, plumbing.outbox, interval)])
    app = create_app(runtime, routers(), title="Credit ledger", run_background=run_background,
                     description="Credit records with penetration (地-企-责任人-责任人关联企业), the benefits "
                                 "register and public disclosure.")
    app.state.credit = CreditContext(plumbing.db, plumbing.outbox, plumbing_tables.idempotency)
    return app


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
