"""Composition root of parcel-registry: the one place that builds and wires everything."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from landgrade_events.registry import ENTERPRISES, PARCELS, REVENUE
from parcel_registry.adapters.person_ids import PersonIdVault
from parcel_registry.adapters.tables import plumbing as plumbing_tables
from parcel_registry.domain.equity import EquityRules
from parcel_registry.entrypoints.http import routers
from parcel_registry.entrypoints.http.deps import PROBLEMS
from parcel_registry.entrypoints.http.filing_fast_path import FilingFastPath
from parcel_registry.service_layer.context import Context
from parcel_registry.service_layer.import_jobs import JobSettings
from parcel_registry.service_layer.parcels import ImportLimits
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
    own = Settings.narrowed(settings)
    plumbing = Plumbing.build(own, plumbing_tables)
    context = Context(
        storage=plumbing.storage,
        vault=PersonIdVault(own.person_id_keys, own.person_ref_key),
        equity_rules=EquityRules(own.equity_max_depth, own.equity_common_shareholder, own.equity_min_share_pct),
        filing_chunk_size=own.filing_chunk_size,
        max_batch_filings=own.max_batch_filings,
        filing_writers=own.filing_writers,
        imports=ImportLimits(own.import_max_bytes, own.import_max_rows, own.import_max_listed_problems),
        import_jobs=JobSettings(
            min_bytes=own.import_job_min_bytes, min_rows=own.import_job_min_rows, run_here=own.import_job_worker,
            poll_seconds=own.import_job_poll_seconds, heartbeat_seconds=own.import_job_heartbeat_seconds,
            stale_seconds=own.import_job_stale_seconds,
        ),
        clock=own.clock(),
    )
    runtime = plumbing.runtime(publishes=PUBLISHES, jobs=[context.job_worker.run])
    return create_app(
        runtime, routers(), title="Parcel registry", run_background=run_background, description=DESCRIPTION,
        context=context, problems=PROBLEMS, hot_paths=[(FilingFastPath, {"context": context})],
    )


def main() -> None:
    serve(Settings(), build_app, MIGRATIONS)
