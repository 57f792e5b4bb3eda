"""Composition root of credit-ledger: the one place that builds and wires everything."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from credit_ledger.adapters.tables import plumbing as plumbing_tables
from credit_ledger.entrypoints.http import routers
from credit_ledger.settings import Settings
from servicekit.http import create_app
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = []


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True) -> FastAPI:
    settings = settings or Settings()
    plumbing = Plumbing.build(settings, plumbing_tables)
    runtime = plumbing.runtime(publishes=PUBLISHES)
    app = create_app(runtime, routers(), title="Credit ledger", run_background=run_background,
                     description="Credit records with penetration, the benefits register and public disclosure.")
    return app


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
