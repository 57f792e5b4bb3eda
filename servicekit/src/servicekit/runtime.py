"""What runs beside the HTTP app in one service process: the outbox relay, event consumers and
periodic jobs, with the readiness checks that watch them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from servicekit.db import Database
from servicekit.inbox import EventConsumer
from servicekit.logging import adopt_library_loggers, get_logger
from servicekit.metrics import Metrics
from servicekit.outbox import OutboxRelay
from servicekit.pipeline_probes import PipelineWatch
from servicekit.settings import ServiceSettings

Job = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    db: Database
    metrics: Metrics
    relay: OutboxRelay | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # More readiness checks by name, each answering "ok" or what is wrong (the topics, for one).
    checks: dict[str, Callable[[], Awaitable[str]]] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _kafka_checked: tuple[float, str | None] = (0.0, "not checked")
    watch: PipelineWatch | None = None

    async def start(self) -> None:
        adopt_library_loggers()  # the HTTP server has configured its own loggers by now
        self.watch = PipelineWatch(self.settings, self.db, self.metrics,
                                   self.relay.table if self.relay is not None else None, self.consumers)
        await self.watch.start()
        for step in self.startup:
            await step()
        runners: list[Job] = [c.run for c in self.consumers] + list(self.jobs)
        if self.relay is not None:
            runners.append(self.relay.run)
        self._stop = asyncio.Event()
        self._tasks = [asyncio.create_task(_guarded(r, self._stop)) for r in runners]

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            done, pending = await asyncio.wait(self._tasks, timeout=10)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []
        if self.watch is not None:
            await self.watch.stop()
        await self.db.dispose()

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {"database": await _check(self.db.ping())}
        checks["kafka"] = await self._kafka()
        for name, check in self.checks.items():
            checks[name] = await check()
        for consumer in self.consumers:
            stalled = consumer.stalled_for()
            limit = self.settings.consumer_stall_seconds
            checks[f"consumer:{consumer.name}"] = ("ok" if stalled < limit
                                                   else f"no progress for {stalled:.0f}s")
        return checks

    async def _kafka(self) -> str:
        # Cached for two seconds: probes hit /readyz often and a metadata round trip is not free.
        at, result = self._kafka_checked
        if time.monotonic() - at > 2.0:
            result = await _check(_kafka_reachable(self.settings))
            self._kafka_checked = (time.monotonic(), result)
        return result or "ok"


async def _check(probe: Awaitable[None], timeout: float = 2.0) -> str:
    try:
        await asyncio.wait_for(probe, timeout)
        return "ok"
    except Exception as error:
        return f"unreachable: {type(error).__name__}"


async def _kafka_reachable(settings: ServiceSettings) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    from servicekit.kafka import _security

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers,
                                request_timeout_ms=2000, **_security(settings))
    try:
        await admin.start()
        await admin.describe_cluster()
    finally:
        await admin.close()


async def _guarded(job: Job, stop: asyncio.Event) -> None:
    log = get_logger("runtime")
    while not stop.is_set():
        try:
            await job(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a crashed loop restarts; /readyz shows it meanwhile
            log.error("background_job_crashed", job=getattr(job, "__qualname__", str(job)), error=repr(error))
            await asyncio.sleep(1.0)
