"""What every handler and query of parcel-registry needs, assembled once by ``bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.person_ids import PersonIdVault
from parcel_registry.domain.equity import EquityRules
from parcel_registry.service_layer.coalescing import FilingCoalescer
from parcel_registry.service_layer.import_jobs import JobSettings, JobWorker
from parcel_registry.service_layer.parcels import ImportLimits
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.clock import Clock, SystemClock
from servicekit.uow import Storage


@dataclass
class Context:
    storage: Storage
    vault: PersonIdVault
    equity_rules: EquityRules
    filing_chunk_size: int = 1000
    max_batch_filings: int = 200_000
    filing_writers: int = 2
    imports: ImportLimits = field(default_factory=ImportLimits)
    import_jobs: JobSettings = field(default_factory=JobSettings)
    clock: Clock = field(default_factory=SystemClock)  # "now" in Beijing time (settings `clock_at`)
    # Single-filing POSTs share chunk transactions through this (one per process).
    filings: FilingCoalescer = field(init=False)
    # This replica's runner of import jobs (a background job of the service).
    job_worker: JobWorker = field(init=False)

    def __post_init__(self) -> None:
        self.filings = FilingCoalescer(self.uow, writers=self.filing_writers)
        self.job_worker = JobWorker(self.uow, self.equity_rules, self.imports, self.import_jobs)

    def uow(self, *, plan_cache_mode: str | None = None) -> RegistryUnitOfWork:
        return RegistryUnitOfWork(self.storage, self.vault, plan_cache_mode=plan_cache_mode)

    def uow_on(self, session: AsyncSession) -> RegistryUnitOfWork:
        return RegistryUnitOfWork(self.storage, self.vault, session=session)
