"""parcel-registry settings, read from plain environment variables (e.g. ``PERSON_ID_KEYS``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from servicekit.settings import ServiceSettings

# Public development keys: fine for local runs and tests, refused in production.
DEV_PERSON_ID_KEYS = "bGFuZGdyYWRlLWRldi1vbmx5LWtleS0wMDAwMDAwMDA="
DEV_PERSON_REF_KEY = "landgrade-dev-only-person-ref-key"


class Settings(ServiceSettings):
    service_name: str = "parcel-registry"
    http_port: int = 8001
    person_id_keys: str = Field(
        default=DEV_PERSON_ID_KEYS,
        description="Fernet keys (comma-separated, newest first) encrypting ID numbers at rest; "
        "older keys still decrypt, so keys can be rotated",
    )
    person_ref_key: str = Field(
        default=DEV_PERSON_REF_KEY, description="HMAC key of the person reference (lookup hash) of an ID number"
    )
    equity_max_depth: int = Field(default=3, ge=1, le=10, description="steps of shareholding an equity link may span")
    equity_common_shareholder: bool = Field(default=True, description="a common shareholder makes an equity link")
    equity_min_share_pct: Decimal = Field(default=Decimal(0), ge=0, le=100, description="smaller holdings are ignored")
    filing_chunk_size: int = Field(default=1000, ge=1, le=20000, description="filings written per transaction")
    max_batch_filings: int = Field(default=200_000, ge=1, description="filings accepted in one batch call")
    # Two writers overlap one chunk's round trips with the next chunk's; each writer more splits
    # the waiting filings into smaller chunks, which cost more CPU per filing and wait longer.
    filing_writers: int = Field(
        default=2, ge=1, le=16,
        description="single-filing POSTs written at once; more writers make smaller shared chunks",
    )
    # Bounds on one sheet upload (CSV or XLSX), read and checked off the event loop.
    import_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="largest sheet file accepted (bytes)")
    import_max_rows: int = Field(default=20_000, ge=1, description="most data rows one sheet may hold")
    import_max_listed_problems: int = Field(
        default=100, ge=1, description="problems listed in a refused import's answer (all are counted)"
    )
    # Large sheets become import jobs (202, polled): their state lives in the database.
    import_job_min_bytes: int = Field(
        default=1024 * 1024, ge=0, description="a sheet larger than this (bytes) is imported as a background job"
    )
    import_job_min_rows: int = Field(
        default=2_000, ge=0, description="a sheet with more data rows than this is imported as a background job"
    )
    import_job_worker: bool = Field(default=True, description="this replica claims and runs import jobs")
    import_job_poll_seconds: float = Field(default=1.0, gt=0, description="how often an idle replica looks for jobs")
    import_job_heartbeat_seconds: float = Field(
        default=5.0, gt=0, description="how often a running job's holder says it is alive"
    )
    import_job_stale_seconds: float = Field(
        default=30.0, gt=0, description="a running job without a heartbeat this long is taken over by another replica"
    )

    @model_validator(mode="after")
    def _refuse_dev_keys_in_prod(self) -> Settings:
        if self.environment == "prod" and (
            self.person_id_keys == DEV_PERSON_ID_KEYS or self.person_ref_key == DEV_PERSON_REF_KEY
        ):
            raise ValueError("PERSON_ID_KEYS and PERSON_REF_KEY must be set in production")
        return self
