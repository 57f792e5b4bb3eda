"""Composition root of enforcement: the one place that builds and wires everything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.adapters.tables import plumbing as plumbing_tables
from enforcement.entrypoints.consumers import consumers
from enforcement.entrypoints.errors import install_error_handlers
from enforcement.entrypoints.http import routers
from enforcement.entrypoints.overdue_job import overdue_check
from enforcement.service_layer.context import Context
from enforcement.settings import Settings
from landgrade_events.enforcement import CASES, FINDINGS
from servicekit.http import create_app
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [FINDINGS, CASES]


def _now() -> datetime:
    return datetime.now(UTC)


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True,
              clock: Callable[[], datetime] = _now) -> FastAPI:
    """`clock` lets tests move time forward (overdue checks) without waiting for it."""
    own = settings if isinstance(settings, Settings) else Settings(**(settings.model_dump() if settings else {}))
    plumbing = Plumbing.build(own, plumbing_tables)
    ctx = Context(
        db=plumbing.db, outbox=plumbing.outbox,
        evidence_store=EvidenceStore(own.evidence_dir), evidence_policy=own.evidence_policy(),
        due_policy=own.due_policy(), clock=clock, cases_from_provisional_grades=own.cases_from_provisional_grades)
    runtime = plumbing.runtime(publishes=PUBLISHES, consumers=consumers(plumbing, ctx),
                               jobs=[overdue_check(ctx, own.overdue_check_seconds)])
    app = create_app(runtime, routers(ctx), title="Enforcement", run_background=run_background,
                     description="Street-office inspections, enforcement cases and renewal guidance.")
    install_error_handlers(app)
    return app


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
