"""Settings every service shares, read from the environment (pydantic-settings).

Each service process reads plain names (`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, ...); the
launcher gives each process its own values. Nothing here is instantiated at import time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.clock import Clock, clock_at

DEV_JWT_SECRET = "landgrade-local-development-secret-change-me"  # nosec B105  # public on purpose; refused in production

DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})

# libpq's sslmode values and what asyncpg's `ssl` takes for each.
_SSLMODES = {"disable": "disable", "allow": "allow", "prefer": "prefer", "require": "require",
             "verify-ca": "verify-ca", "verify-full": "verify-full"}


def asyncpg_url(url: str) -> str:
    """`postgresql://u:p@host/db?sslmode=require` as the SQLAlchemy URL of the asyncpg driver."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres", "postgresql+asyncpg"):
        return url
    base, qmark, query = rest.partition("?")
    params = [p for p in query.split("&") if p] if qmark else []
    translated = []
    for param in params:
        name, _, value = param.partition("=")
        if name == "sslmode":
            if value not in _SSLMODES:
                raise ValueError(f"DATABASE_URL: sslmode={value!r} is not one of {', '.join(_SSLMODES)}")
            translated.append(f"ssl={_SSLMODES[value]}")
        else:
            translated.append(param)
    return "postgresql+asyncpg://" + base + ("?" + "&".join(translated) if translated else "")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = "service"
    environment: str = Field(default="development", description=(
        "development | test | anything else (e.g. prod): only development and test accept the "
        "project's public development secrets"))
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # A request's headers and body must arrive whole within this (slow clients are closed), and
    # at most this many connections are open at once per process (more are answered 503).
    http_request_deadline_seconds: float = Field(default=60.0, gt=0, le=3600)
    http_max_connections: int = Field(default=1000, ge=1)
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    database_pool_size: int = 10
    # PostgreSQL plans each statement for its own values ("force_custom_plan"): a generic plan is
    # kept per connection until the table is next analysed, so one made while a table was nearly
    # empty would go on scanning it whole once it has grown. "auto" sends nothing, for poolers
    # that refuse startup settings.
    database_plan_cache_mode: Literal["force_custom_plan", "auto", "force_generic_plan"] = "force_custom_plan"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_consumer_group_prefix: str = "landgrade"
    # Producer batching. The outbox relay builds its own record batches, one per partition and
    # claim, closed as soon as built: they never linger. `kafka_linger_ms` applies to records sent
    # one at a time (dead letters), for which a few milliseconds gather what fails together.
    # Batches are compressed whole: events repeat their field names, so a batch shrinks many times
    # over, and the broker writes, replicates and serves that much less. zstd (aiokafka's level 3)
    # costs the relay about a microsecond per event; aiokafka's lz4 is its slow high-compression
    # level and gzip costs tens of microseconds per event (bench/README.md, relay).
    kafka_compression_type: Literal["zstd", "lz4", "gzip", "snappy", "none"] = "zstd"
    kafka_linger_ms: int = Field(default=5, ge=0, le=1000)
    # The largest record batch (uncompressed), within the broker's `message.max.bytes` (1 MiB by
    # default): larger batches cost the broker less per record.
    kafka_max_batch_bytes: int = Field(default=1024 * 1024, ge=16 * 1024, le=8 * 1024 * 1024)
    # Where a consumer group begins on a partition it has never committed an offset on: unset, at
    # the start of retention (every event the topic keeps); set, at the first event written at or
    # after this time. For an environment that shares a cluster with earlier runs (a test session,
    # a staging copy); production leaves it unset so that nothing retained is skipped.
    kafka_consumer_start_at: AwareDatetime | None = None
    jwt_secret: str = DEV_JWT_SECRET
    jwt_algorithm: str = "HS256"
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "landgrade"
    jwt_audience: str = "landgrade"
    # Longest validity (exp - iat) of a token this service accepts: a leaked token is worth at most this.
    jwt_max_lifetime_seconds: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)
    # "Now" is this moment (Beijing time when naive) when the process first asks, and runs on from
    # there, instead of following the system clock: tests and the demo set it, so that nothing
    # they check changes on 1 January.
    clock_at: datetime | None = None
    log_level: str = "INFO"
    # "all": one log line per request; "changes": requests that change something (not GET/HEAD),
    # failures (4xx/5xx) and slow ones only; every request is counted in /metrics either way.
    access_log: Literal["all", "changes"] = "changes"
    access_log_slow_ms: float = 1000.0
    log_json: bool = True
    # /metrics is served on a port of its own, apart from the API's (servicekit.metrics_server):
    # unset, HTTP_PORT + 1000; 0, no such listener. The API's port answers /metrics only in
    # development and test.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # Traces go out over OTLP/HTTP when an endpoint is set (and to a JSON-lines file when
    # OTEL_TRACES_FILE is set, for tests); with neither, no span is made at all.
    otel_exporter_otlp_endpoint: str | None = None
    otel_traces_file: str | None = None
    # The share of traces begun here (by a request without a caller's context, or an event written
    # outside any) that are recorded; a trace's later hops follow its first (the flag in
    # `traceparent`). The OpenTelemetry variable's name, with its meaning under
    # `parentbased_traceidratio`. A tenth by default: a trace left out costs nothing, and recording
    # every one costs a large share of the services' throughput (bench/README.md, "Tracing cost").
    otel_traces_sampler_arg: float = Field(default=0.1, ge=0, le=1)
    max_body_bytes: int = 64 * 1024 * 1024
    # Rows the relay claims, sends and deletes per transaction: it sends them as one record batch
    # per partition (up to `kafka_max_batch_bytes` each), so this is also the most records in one
    # produce request. Each batch pays a few round trips, a commit and a produce request whatever
    # its size; a live event is claimed alone and sent at once (no linger applies to it).
    outbox_batch_size: int = Field(default=2000, ge=1, le=20_000)
    outbox_poll_seconds: float = 0.05
    # An idle relay sleeps until its own process writes an event, or this long (rows written by
    # another process, e.g. a replica that does not hold the relay role, wait at most this).
    outbox_idle_seconds: float = 1.0
    # The relay's publishing role ends when its holder has shown no sign of life for this long: the
    # database ends the holder's session, so a frozen or cut-off replica hands over within it.
    outbox_relay_lease_seconds: float = Field(default=20.0, ge=2, le=300)
    consumer_batch_size: int = 500
    consumer_max_attempts: int = 3
    # Least time between the starts of two batches of one consumer: it trades at most this much
    # latency per stage for batches large enough to spread their fixed cost (see `inbox`).
    consumer_batch_spacing_seconds: float = Field(default=0.1, ge=0, le=5)
    consumer_stall_seconds: float = 60.0
    # Allocations between the cyclic garbage collector's youngest-generation passes (CPython's
    # default is 700). Every request and event allocates thousands of short-lived objects: at 700
    # the collector would run many times per request and re-walk the survivors each time; 0 keeps
    # the interpreter's own setting.
    gc_young_threshold: int = Field(default=50_000, ge=0)

    @classmethod
    def narrowed(cls, settings: ServiceSettings | None = None) -> Self:
        """This service's settings from shared ones (tests build a `ServiceSettings`), or from the
        environment when none are given."""
        if isinstance(settings, cls):
            return settings
        return cls(**settings.model_dump()) if settings is not None else cls()

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, url: str) -> str:
        """Takes the plain `postgresql://` (or `postgres://`) URIs that operators such as
        CloudNativePG hand out in their secrets, with libpq's `sslmode`, as they are."""
        return asyncpg_url(url)

    @property
    def metrics_listen_port(self) -> int:
        """The port /metrics listens on apart from the API (0: none)."""
        return self.http_port + 1000 if self.metrics_port is None else self.metrics_port

    def clock(self) -> Clock:
        return clock_at(self.clock_at)

    @property
    def allows_development_secrets(self) -> bool:
        """Only an environment that says it is one for development or tests may run on the public
        development secrets; any other name (prod, production, staging, a typo) refuses them."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> ServiceSettings:
        if not self.allows_development_secrets and self.jwt_algorithm.startswith("HS") \
                and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError(f"JWT_SECRET must be set when ENVIRONMENT is {self.environment!r} (the development "
                             "secret is public; it is accepted only in development and test)")
        return self
