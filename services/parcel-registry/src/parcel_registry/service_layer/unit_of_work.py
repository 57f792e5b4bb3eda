"""The one transaction of a parcel-registry handler, with the ledger's repositories on it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.enterprise_repository import EnterpriseRepository
from parcel_registry.adapters.filing_repository import FilingRepository
from parcel_registry.adapters.history_repository import HistoryRepository
from parcel_registry.adapters.import_job_repository import ImportJobRepository
from parcel_registry.adapters.parcel_repository import ParcelRepository
from parcel_registry.adapters.person_ids import PersonIdVault
from servicekit.uow import Storage, UnitOfWork


class RegistryUnitOfWork(UnitOfWork):
    parcels: ParcelRepository
    enterprises: EnterpriseRepository
    filings: FilingRepository
    import_jobs: ImportJobRepository
    history: HistoryRepository

    def __init__(self, storage: Storage, vault: PersonIdVault, *, session: AsyncSession | None = None,
                 plan_cache_mode: str | None = None) -> None:
        self.vault = vault  # before the base class binds a joined session
        super().__init__(storage, session=session, plan_cache_mode=plan_cache_mode)

    def bind(self, session: AsyncSession) -> None:
        self.parcels = ParcelRepository(session)
        self.enterprises = EnterpriseRepository(session, self.vault)
        self.filings = FilingRepository(session)
        self.import_jobs = ImportJobRepository(session)
        self.history = HistoryRepository(session)
