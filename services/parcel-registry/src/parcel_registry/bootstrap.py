"""Composition root of parcel-registry: the one place that builds and wires everything."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from landgrade_events.registry import ENTERPRISES, PARCELS, REVENUE
from parcel_registry.adapters.person_ids import PersonIdVault
from parcel_registry.adapters.tables import plumbing as plumbing_tables
from parcel_registry.domain.equity import EquityRules
from parcel_registry.entrypoints.deps import install_error_handlers
from parcel_registry.entrypoints.filing_fast_path import FilingIntake
from parcel_registry.entrypoints.http import routers
from parcel_registry.service_layer.coalescing import FilingCoalescer
from parcel_registry.service_layer.registry import Registry
from parcel_registry.settings import Settings
from servicekit.http import create_app
from servicekit.serve import serve
from servicekit.settings import ServiceSettings
from servicekit.wiring import Plumbing

MIGRATIONS = Path(__file__).parent / "migrations"
PUBLISHES: list[str] = [PARCELS, ENTERPRISES, REVENUE]

DESCRIPTION = (
    "The land ledger (用地台账): parcels, rights holders, enterprises, responsible persons, equity links, "
    "leases, commitments and revenue filings."
)


def build_app(settings: ServiceSettings | None = None, *, run_background: bool = True) -> FastAPI:
    own = settings if isinstance(settings, Settings) else Settings(**(settings.model_dump() if settings else {}))
    plumbing = Plumbing.build(own, plumbing_tables)
    runtime = plumbing.runtime(publishes=PUBLISHES)
    app = create_app(
        runtime, routers(), title="Parcel registry", run_background=run_background, description=DESCRIPTION,
        hot_paths=[(FilingIntake, {})],
    )
    app.state.registry = Registry(
        db=plumbing.db,
        outbox=plumbing.outbox,
        vault=PersonIdVault(own.person_id_keys, own.person_ref_key),
        equity_rules=EquityRules(own.equity_max_depth, own.equity_common_shareholder, own.equity_min_share_pct),
        filing_chunk_size=own.filing_chunk_size,
        max_batch_filings=own.max_batch_filings,
    )
    app.state.filing_coalescer = FilingCoalescer(app.state.registry, writers=own.filing_writers)
    install_error_handlers(app)
    return app


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
