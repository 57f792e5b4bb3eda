"""Runs one service: migrate, then serve HTTP with the background runtime (relay, consumers)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from servicekit.logging import configure_logging
from servicekit.migrations import upgrade
from servicekit.settings import ServiceSettings
from servicekit.slow_clients import with_request_deadline


def serve(settings: ServiceSettings, build_app: Callable[[ServiceSettings], FastAPI], migrations_dir: Path) -> None:
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    asyncio.run(upgrade(settings.database_url, migrations_dir))
    config = server_config(settings, build_app(settings))
    tune_gc(settings.gc_young_threshold)
    uvicorn.Server(config).run()


def server_config(settings: ServiceSettings, app: FastAPI, *, loop: str = "uvloop") -> uvicorn.Config:
    """How every service serves HTTP: requests must arrive whole within HTTP_REQUEST_DEADLINE_SECONDS,
    and at most HTTP_MAX_CONNECTIONS are open at once (more get 503 and are closed)."""
    return uvicorn.Config(app, host=settings.http_host, port=settings.http_port, log_level="warning",
                          access_log=False, lifespan="on", loop=loop,
                          http=with_request_deadline(settings.http_request_deadline_seconds),
                          limit_concurrency=settings.http_max_connections, timeout_graceful_shutdown=10)


def tune_gc(young_threshold: int) -> None:
    """Moves everything built so far (modules, the app, its routes and schemas) out of the
    collector's sight, so its passes walk only what requests and events allocate afterwards; then
    lets the youngest generation grow to `young_threshold` allocations between passes."""
    if young_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, older, oldest)
