"""Chaos run: filings and findings through the whole pipeline while the infrastructure fails.

The four services run as separate processes on a Kafka broker and a PostgreSQL server of this
module's own (so they can be killed without touching the session's). While the workload runs:
the broker is `kill -9`ed and restarted at 30%, parcel-registry is SIGKILLed and restarted at 45%,
PostgreSQL is stopped with `pg_ctl stop -m immediate` and restarted at 60%, and evaluation is
SIGSTOPped past its Kafka session timeout at 80%, then SIGCONTed. Afterwards every accepted
request must have had exactly one effect, in per-parcel order: one evaluation per filing or
finding, one grading per evaluation in the credit ledger, one case per parcel that went to D,
with its credit record; nothing dead-lettered; the ledger verifies. Recovery after each fault
(until a fresh filing comes out of evaluation) is measured and printed.

`LANDGRADE_RELIABILITY=full` (`make test-reliability`) runs the full 20,000 requests; otherwise
a short form runs inside `make test`.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from landgrade.devstack.kafka import KafkaBroker
from landgrade.devstack.ports import free_port
from landgrade.devstack.postgres import PostgresServer
from tests.reliability.chaos_workload import Driver, holders_for, make_plan, register_world
from tests.reliability.stack import ProcessStack
from tests.reliability.verdict import Canary, assert_sound, verdict

pytestmark = [pytest.mark.infra, pytest.mark.e2e, pytest.mark.reliability]

FULL = os.environ.get("LANDGRADE_RELIABILITY") == "full"
REQUESTS = 20_000 if FULL else 1_000
PER_FILING_PARCEL, PER_FINDING_PARCEL = (60, 20) if FULL else (15, 5)
WORKERS = 24
# Paced so that every fault (and the recovery after it) falls inside the workload.
DURATION = 480.0 if FULL else 120.0
PAUSE_SECONDS = 15.0  # past the consumers' 10 s Kafka session timeout
RECOVERY_BOUND = 30.0  # seconds from the end of each fault until a fresh filing is graded
SETTLE_TIMEOUT = 600.0 if FULL else 240.0


@dataclass
class Chaos:
    pg: PostgresServer
    kafka: KafkaBroker
    stack: ProcessStack
    logs: Path


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chaos]:
    root = tmp_path_factory.mktemp("chaos")
    pg = PostgresServer(root / "pg", port=free_port())
    kafka = KafkaBroker(root / "kafka", port=free_port(), controller_port=free_port(), heap="384m")
    stack = None
    try:
        pg.start()
        kafka.start()
        stack = ProcessStack.start(kafka.bootstrap_servers, pg.url(), root / "logs")
        yield Chaos(pg, kafka, stack, root / "logs")
    finally:
        if stack is not None:
            stack.stop()
        kafka.stop()
        pg.stop("immediate")


@dataclass
class Fault:
    name: str
    at: float
    inject: Callable[[Chaos], Awaitable[None]]


async def broker_kill(chaos: Chaos) -> None:
    chaos.kafka.kill()
    await asyncio.sleep(3)
    await asyncio.to_thread(chaos.kafka.start)


async def registry_kill(chaos: Chaos) -> None:
    service = chaos.stack.services["parcel-registry"]
    service.kill()
    await asyncio.sleep(1)
    service.start()
    await asyncio.to_thread(service.wait_ready)


async def database_crash(chaos: Chaos) -> None:
    await asyncio.to_thread(chaos.pg.stop, "immediate")
    await asyncio.sleep(3)
    await asyncio.to_thread(chaos.pg.start)


async def evaluation_pause(chaos: Chaos) -> None:
    service = chaos.stack.services["evaluation"]
    service.pause()
    await asyncio.sleep(PAUSE_SECONDS)
    service.resume()


FAULTS = [
    Fault("broker kill -9, restart", 0.30, broker_kill),
    Fault("parcel-registry SIGKILL, restart", 0.45, registry_kill),
    Fault("PostgreSQL stop -m immediate, restart", 0.60, database_crash),
    Fault(f"evaluation SIGSTOP {PAUSE_SECONDS:.0f}s, SIGCONT", 0.80, evaluation_pause),
]


async def inject_faults(chaos: Chaos, driver: Driver, canary: Canary, figures: list[str],
                        recoveries: dict[str, float]) -> None:
    for fault in FAULTS:
        while driver.accepted < fault.at * REQUESTS:  # noqa: ASYNC110 - polling a counter the workers bump
            await asyncio.sleep(0.05)
        started, retries, at = time.monotonic(), driver.retries, driver.accepted
        await fault.inject(chaos)
        healed = time.monotonic()
        try:
            await asyncio.wait_for(canary.round_trip(driver), timeout=RECOVERY_BOUND * 3)
            recoveries[fault.name] = time.monotonic() - healed
        except TimeoutError:
            recoveries[fault.name] = float("inf")
        figures.append(f"  {fault.name:42} at {at:6} accepted: fault lasted {healed - started:5.1f}s, "
                       f"recovered {recoveries[fault.name]:5.1f}s after, {driver.retries - retries} retried sends")


async def test_nothing_lost_or_duplicated_under_faults(chaos: Chaos) -> None:
    run = uuid.uuid4().hex[:6]
    urls = {name: service.url for name, service in chaos.stack.services.items()}
    holders = holders_for(max(8, REQUESTS // 200), seed=int(run, 16))
    plan = make_plan(run, REQUESTS, PER_FILING_PARCEL, PER_FINDING_PARCEL, holders)
    canary = Canary(f"CC-{run}", holders[0])
    plan.holders[canary.parcel], plan.streets[canary.parcel] = canary.holder, "ronghua"
    await register_world(urls, plan, holders, seed=int(run, 16))
    plan.filing_parcels[canary.parcel] = canary.sends

    driver = Driver(urls, plan, WORKERS, rate=REQUESTS / DURATION)
    figures: list[str] = []
    recoveries: dict[str, float] = {}
    faults = asyncio.create_task(inject_faults(chaos, driver, canary, figures, recoveries))
    await driver.run()
    await faults
    assert not driver.unexpected, driver.unexpected[:20]
    assert all(s.status in (200, 201, 202) for s in plan.sends)  # every request was accepted in the end

    result = await verdict(plan, urls, chaos.stack.database_url("credit-ledger"), chaos.kafka.bootstrap_servers,
                           SETTLE_TIMEOUT)

    elapsed = driver.finished - driver.started
    print(f"\nchaos run: {len(plan.sends)} requests ({sum(len(s) for s in plan.filing_parcels.values())} filings, "
          f"{sum(len(s) for s in plan.finding_parcels.values())} findings) "
          f"over {len(plan.filing_parcels) + len(plan.finding_parcels)} parcels "
          f"in {elapsed:.0f}s ({len(plan.sends) / elapsed:.0f}/s), {driver.retries} retried sends")
    print("\n".join(figures))
    print(result.summary)
    print(f"  server errors answered while faults lasted (retried): {driver.server_errors or 'none'}")

    assert_sound(result)
    assert all(seconds <= RECOVERY_BOUND for seconds in recoveries.values()), recoveries
    # An outage is answered "try again" (503 + Retry-After), never as an internal error.
    assert set(driver.server_errors) <= {503}, driver.server_errors
