"""Composition root of parcel-registry: the one place that builds and wires everything."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from parcel_registry.adapters.tables import plumbing as plumbing_tables
from parcel_registry.entrypoints.http import routers
from parcel_registry.settings import Settings
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
    app = create_app(runtime, routers(), title="Parcel registry", run_background=run_background,
                     description="The land ledger (用地台账): parcels, rights holders, enterprises, leases, commitments and revenue filings.")
    return app


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
