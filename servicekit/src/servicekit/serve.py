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


def serve(settings: ServiceSettings, build_app: Callable[[ServiceSettings], FastAPI], migrations_dir: Path) -> None:
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    asyncio.run(upgrade(settings.database_url, migrations_dir))
    config = uvicorn.Config(build_app(settings), host=settings.http_host, port=settings.http_port,
                            log_level="warning", access_log=False, lifespan="on", loop="uvloop",
                            http="httptools", timeout_graceful_shutdown=10)
    tune_gc(settings.gc_young_threshold)
    uvicorn.Server(config).run()


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
