"""The four services in-process (ASGI) on the session's PostgreSQL and Kafka, each on a fresh
database, for the suites that need no process-level faults."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from credit_ledger import bootstrap as credit_bootstrap
from credit_ledger.settings import Settings as CreditSettings
from enforcement import bootstrap as enforcement_bootstrap
from enforcement.settings import Settings as EnforcementSettings
from evaluation import bootstrap as evaluation_bootstrap
from evaluation.settings import Settings as EvaluationSettings
from landgrade.devstack.ports import free_port
from landgrade.testing import Infra, serving
from parcel_registry import bootstrap as registry_bootstrap
from parcel_registry.settings import Settings as RegistrySettings
from servicekit.migrations import upgrade
from servicekit.settings import ServiceSettings

# name -> (settings class, composition root module)
SERVICES: dict[str, tuple[type[ServiceSettings], Any]] = {
    "parcel-registry": (RegistrySettings, registry_bootstrap),
    "evaluation": (EvaluationSettings, evaluation_bootstrap),
    "credit-ledger": (CreditSettings, credit_bootstrap),
    "enforcement": (EnforcementSettings, enforcement_bootstrap),
}


async def fresh_settings(infra: Infra, name: str, tmp: Path, **overrides: Any) -> ServiceSettings:
    """Like `make_settings`, usable from module-scoped fixtures: a fresh migrated database and
    consumer groups of its own."""
    settings_cls, root = SERVICES[name]
    db = f"r_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    values: dict[str, Any] = {
        "environment": "test", "database_url": infra.database_url(db),
        "kafka_bootstrap_servers": infra.bootstrap, "kafka_consumer_group_prefix": db,
        "kafka_consumer_start_at": datetime.now(UTC),
        "http_port": free_port(), "outbox_poll_seconds": 0.02, "log_json": True,
    }
    if name == "enforcement":
        values["evidence_dir"] = tmp / "evidence"
    settings = settings_cls(**(values | overrides))
    await upgrade(settings.database_url, root.MIGRATIONS)
    return settings


@dataclass
class InProcess:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    settings: dict[str, ServiceSettings]


@asynccontextmanager
async def in_process(infra: Infra, tmp: Path, **overrides: Any) -> AsyncIterator[InProcess]:
    """All four apps with their relays and consumers running, talking through the session's Kafka."""
    settings = {name: await fresh_settings(infra, name, tmp, **overrides) for name in SERVICES}
    apps = {name: SERVICES[name][1].build_app(settings[name]) for name in SERVICES}
    async with AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(serving(app)) for name, app in apps.items()}
        yield InProcess(apps, clients, settings)
