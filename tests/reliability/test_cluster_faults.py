"""Beyond one machine: two replicas of every service on a 3-node Kafka cluster (replication 3,
`min.insync.replicas` 2), filings and findings flowing, and failures among them:

- one broker `kill -9`ed and left down (the cluster keeps two in-sync replicas of everything);
- one replica of evaluation and one of the credit ledger `kill -9`ed (their partitions move to
  the other replica; a relay role they held is released with their sessions);
- the registry replica that holds the relay role frozen with SIGSTOP (it keeps its sessions open):
  the other replica must publish within 30 s, and the frozen one, once resumed, with no effect.

Afterwards every accepted request had exactly one effect, in per-parcel order, nothing waits in a
dead-letter topic, and the ledger verifies; the figures are printed. `LANDGRADE_RELIABILITY=full`
runs longer and freezes the relay holder for 60 s; the short form runs inside `make test`.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import psutil
import pytest

from landgrade.devstack.kafka import KafkaCluster
from landgrade.testing import Infra
from servicekit.outbox import RELAY_LOCK_ID
from tests.reliability.chaos_checks import query
from tests.reliability.chaos_workload import Driver, holders_for, make_plan, register_world
from tests.reliability.stack import ProcessStack
from tests.reliability.verdict import Canary, assert_sound, verdict

pytestmark = [pytest.mark.infra, pytest.mark.e2e, pytest.mark.reliability]

FULL = os.environ.get("LANDGRADE_RELIABILITY") == "full"
REQUESTS = 6_000 if FULL else 240
PER_FILING_PARCEL, PER_FINDING_PARCEL = (40, 15) if FULL else (12, 4)
DURATION = 300.0 if FULL else 45.0
FREEZE_SECONDS = 60.0 if FULL else 15.0
LEASE_SECONDS = 20.0 if FULL else 5.0  # the default lease in the full run
HANDOVER_BOUND = 30.0  # a frozen relay holder's role is taken over within this
# From the end of a fault until a fresh filing is graded: a killed broker's partitions elect new
# leaders and consumer groups move their coordinator, which takes longer than a service restart.
RECOVERY_BOUND = 60.0


@dataclass
class Cluster:
    kafka: KafkaCluster
    first: ProcessStack  # started first: it holds every relay role at the start
    second: ProcessStack  # the replicas the outside systems talk to


@pytest.fixture(scope="module")
def cluster(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    kafka = KafkaCluster(root / "kafka", nodes=3)
    first = second = None
    try:
        kafka.start()
        # Three brokers and eight service processes on a small machine: start-up is slow, not stuck.
        first = ProcessStack.start(kafka.bootstrap_servers, infra.db_base, root / "logs-1", ready_timeout=300,
                                   OUTBOX_RELAY_LEASE_SECONDS=str(LEASE_SECONDS))
        asyncio.run(_relay_role_taken(first.database_url("parcel-registry")))
        second = first.replica(root / "logs-2", ready_timeout=300)
        yield Cluster(kafka, first, second)
    finally:
        for stack in (second, first):
            if stack is not None:
                stack.stop()
        kafka.stop()


async def _relay_role_taken(database_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = await query(database_url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                         "AND objid = :lock AND granted", lock=RELAY_LOCK_ID & 0xFFFFFFFF)
        if rows and rows[0][0]:
            return
        await asyncio.sleep(0.5)
    raise TimeoutError("no registry replica took the relay role")


@dataclass
class Fault:
    name: str
    at: float
    inject: Callable[[Cluster, Driver, Canary], Awaitable[str]]


async def broker_kill(c: Cluster, driver: Driver, canary: Canary) -> str:
    c.kafka.kill(2)
    return "broker 3 of 3 down for the rest of the run"


async def replicas_kill(c: Cluster, driver: Driver, canary: Canary) -> str:
    c.first.services["evaluation"].kill()
    c.first.services["credit-ledger"].kill()
    return "evaluation and credit-ledger down to one replica each"


async def relay_holder(c: Cluster) -> tuple[ProcessStack, ProcessStack]:
    """The stack whose registry holds the relay role now, and the other: the role's session is
    found in `pg_locks`, and its client port among the replicas' sockets. Either replica may hold
    it by now (a relay that met a broker failure gives the role up and competes again)."""
    rows = await query(c.first.database_url("parcel-registry"),
                       "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                       "WHERE l.locktype = 'advisory' AND l.objid = :lock AND l.granted",
                       lock=RELAY_LOCK_ID & 0xFFFFFFFF)
    ports = {r[0] for r in rows}
    for stack, other in ((c.first, c.second), (c.second, c.first)):
        process = stack.services["parcel-registry"].process
        assert process is not None
        tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        if any(conn.laddr and conn.laddr.port in ports for p in tree for conn in p.net_connections(kind="tcp")):
            return stack, other
    raise AssertionError(f"no registry replica holds the relay role (sessions on ports {sorted(ports)})")


async def relay_holder_freeze(c: Cluster, driver: Driver, canary: Canary) -> str:
    holder, other = await relay_holder(c)
    frozen = holder.services["parcel-registry"]
    # The filing goes to the live registry replica (the first stack's evaluation is down by now).
    live = Driver({**driver.urls, "parcel-registry": other.services["parcel-registry"].url}, driver.plan, 1)
    frozen.pause()
    started = time.monotonic()
    try:
        # A filing accepted by the live replica must get through while the holder stays frozen.
        await asyncio.wait_for(canary.round_trip(live), timeout=FREEZE_SECONDS + 30)
        handover = time.monotonic() - started
        await asyncio.sleep(max(0.0, FREEZE_SECONDS - handover))
    finally:
        frozen.resume()
    assert handover <= HANDOVER_BOUND, f"the other registry replica published only after {handover:.1f}s"
    which = "first" if holder is c.first else "second"
    return f"relay hand-over {handover:.1f}s after SIGSTOP of the holder ({which} replica; lease {LEASE_SECONDS:.0f}s)"


FAULTS = [
    Fault("broker kill -9", 0.20, broker_kill),
    Fault("evaluation + credit-ledger replica kill -9", 0.40, replicas_kill),
    Fault(f"registry relay holder SIGSTOP {FREEZE_SECONDS:.0f}s", 0.60, relay_holder_freeze),
]


async def inject(c: Cluster, driver: Driver, canary: Canary, figures: list[str],
                 recoveries: dict[str, float]) -> None:
    for fault in FAULTS:
        while driver.accepted < fault.at * REQUESTS:  # noqa: ASYNC110 - polling a counter the workers bump
            await asyncio.sleep(0.05)
        at = driver.accepted
        said = await fault.inject(c, driver, canary)
        healed = time.monotonic()
        try:
            await asyncio.wait_for(canary.round_trip(driver), timeout=RECOVERY_BOUND * 3)
            recoveries[fault.name] = time.monotonic() - healed
        except TimeoutError:
            recoveries[fault.name] = float("inf")
        figures.append(f"  {fault.name:44} at {at:5} accepted: {said}; "
                       f"a fresh filing graded {recoveries[fault.name]:5.1f}s after")


async def test_two_replicas_on_three_brokers_keep_every_promise(cluster: Cluster) -> None:
    run = uuid.uuid4().hex[:6]
    urls = {name: service.url for name, service in cluster.second.services.items()}
    holders = holders_for(max(8, REQUESTS // 200), seed=int(run, 16))
    plan = make_plan(run, REQUESTS, PER_FILING_PARCEL, PER_FINDING_PARCEL, holders)
    canary = Canary(f"CL-{run}", holders[0])
    plan.holders[canary.parcel], plan.streets[canary.parcel] = canary.holder, "ronghua"
    await register_world(urls, plan, holders, seed=int(run, 16))
    plan.filing_parcels[canary.parcel] = canary.sends

    driver = Driver(urls, plan, 16, rate=REQUESTS / DURATION)
    figures: list[str] = []
    recoveries: dict[str, float] = {}
    faults = asyncio.create_task(inject(cluster, driver, canary, figures, recoveries))
    await driver.run()
    await faults
    assert not driver.unexpected, driver.unexpected[:20]
    assert all(s.status in (200, 201, 202) for s in plan.sends)

    result = await verdict(plan, urls, cluster.second.database_url("credit-ledger"),
                           cluster.kafka.bootstrap_servers, 240.0)
    elapsed = driver.finished - driver.started
    print(f"\ncluster run: 3 brokers, 2 replicas per service; {len(plan.sends)} requests in {elapsed:.0f}s "
          f"({len(plan.sends) / elapsed:.0f}/s), {driver.retries} retried sends")
    print("\n".join(figures))
    print(result.summary)
    async with httpx.AsyncClient(timeout=10) as client:
        for name, service in cluster.second.services.items():
            assert (await client.get(f"{service.url}/readyz")).status_code == 200, f"{name} not ready after the run"
    assert_sound(result)
    assert all(seconds <= RECOVERY_BOUND for seconds in recoveries.values()), recoveries
    assert set(driver.server_errors) <= {503}, driver.server_errors
