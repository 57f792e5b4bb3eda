"""The chaos run's workload: filings and inspection findings sent as the tax system and the street
offices send them (retried with the same natural id until accepted), and what each one must
leave behind once the system has recovered."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.reliability.world import (
    STREET_A,
    STREET_B,
    enterprise_body,
    filing_body,
    inspection_body,
    new_id_number,
    new_uscc,
    parcel_body,
    role_headers,
)

REQUEST_DEADLINE = 900.0  # one request may wait out every fault, but not forever


@dataclass
class Send:
    """One request and what came of it."""

    kind: str  # "filing" | "inspection"
    parcel: str
    service: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    expected: str = ""  # filing: the parcel-year total after it; inspection: the finding id
    status: int | None = None
    attempts: int = 0


@dataclass
class Plan:
    filing_parcels: dict[str, list[Send]] = field(default_factory=dict)
    finding_parcels: dict[str, list[Send]] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)  # parcel -> holder USCC
    streets: dict[str, str] = field(default_factory=dict)

    @property
    def sends(self) -> list[Send]:
        return [s for sends in (*self.filing_parcels.values(), *self.finding_parcels.values()) for s in sends]


def make_plan(run: str, requests: int, per_filing_parcel: int, per_finding_parcel: int,
              holders: list[str]) -> Plan:
    """90% filings over parcels of their own, 10% inspections with one finding each over others:
    a parcel with an open violation is not judged on output, so the two kinds never share one."""
    plan = Plan()
    findings = requests // 10
    filings = requests - findings
    tax = role_headers("tax-system")
    base = datetime.now(UTC) - timedelta(days=30)
    for p in range(-(-filings // per_filing_parcel)):
        parcel = f"CF-{run}-{p:04d}"
        plan.holders[parcel], plan.streets[parcel] = holders[p % len(holders)], (STREET_A, STREET_B)[p % 2]
        count = min(per_filing_parcel, filings - p * per_filing_parcel)
        total, sends = Decimal(0), []
        for j in range(count):
            output = Decimal(1_000_000 + j * 1_000 + p)  # distinct, so every filing moves the total
            total += output
            body = filing_body(f"{parcel}-F{j:03d}", plan.holders[parcel], parcel, str(output), "10000")
            sends.append(Send("filing", parcel, "parcel-registry", "/v1/revenue-filings", body, tax, str(total)))
        plan.filing_parcels[parcel] = sends
    for p in range(-(-findings // per_finding_parcel)):
        parcel = f"CI-{run}-{p:04d}"
        street = (STREET_A, STREET_B)[p % 2]
        plan.holders[parcel], plan.streets[parcel] = holders[p % len(holders)], street
        office = role_headers("street-office", street)
        count = min(per_finding_parcel, findings - p * per_finding_parcel)
        plan.finding_parcels[parcel] = [
            Send("inspection", parcel, "enforcement", "/v1/inspections",
                 inspection_body(f"{parcel}-I{j:03d}", parcel,
                                 inspected_at=(base + timedelta(minutes=j)).isoformat()), office)
            for j in range(count)]
    return plan


async def register_world(urls: dict[str, str], plan: Plan, holders: list[str], seed: int,
                         timeout: float = 120.0) -> None:
    """Enterprises (with responsible persons' ID numbers) and parcels, as the registry and land staff
    do; returns once evaluation has graded every parcel. Parcels are in the ledger long before their
    first filing: a filing that overtakes its parcel's announcement is kept and counted in the
    grade the parcel gets once announced, one evaluation for all of them, which is not the
    one-effect-per-request this workload checks."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=urls["parcel-registry"], timeout=30) as client:
        for n, uscc in enumerate(holders):
            body = enterprise_body(f"亦庄企业{n}", [new_id_number(rng), new_id_number(rng)])
            response = await client.put(f"/v1/enterprises/{uscc}", json=body, headers=role_headers("business-registry"))
            assert response.status_code in (200, 201), response.text
        land = role_headers("land-staff")
        for parcel, holder in plan.holders.items():
            response = await client.put(f"/v1/parcels/{parcel}", json=parcel_body(holder, plan.streets[parcel]),
                                        headers=land)
            assert response.status_code in (200, 201), response.text
    await _announced(urls["evaluation"], list(plan.holders), timeout)


async def _announced(evaluation: str, parcels: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(parcels)
    async with httpx.AsyncClient(base_url=evaluation, timeout=10) as client:
        while waiting:
            answers = await asyncio.gather(*(client.get(f"/v1/parcels/{p}/grades", params={"limit": 1},
                                                        headers=role_headers("admin")) for p in sorted(waiting)))
            waiting = {p for p, r in zip(sorted(waiting), answers, strict=True) if r.status_code != 200}
            assert not waiting or time.monotonic() < deadline, f"never graded after registration: {sorted(waiting)}"
            await asyncio.sleep(0.2 if waiting else 0)


def holders_for(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [new_uscc(rng) for _ in range(count)]


class Driver:
    """Sends every plan's requests in order per parcel, many parcels at once; retries each request
    with the same natural id (so a retry of an accepted request is a no-op) until it is accepted."""

    def __init__(self, urls: dict[str, str], plan: Plan, workers: int, rate: float | None = None) -> None:
        self.urls, self.plan, self.workers = urls, plan, workers
        self.rate = rate  # requests per second at most, so that the faults fall inside the workload
        self.begun = 0
        self.accepted = 0
        self.retries = 0
        self.unexpected: list[str] = []
        self.server_errors: dict[int, int] = {}  # 5xx answers by status: 503 means "try again"
        self.started = self.finished = 0.0

    async def run(self) -> None:
        self.started = time.monotonic()
        queues = list(self.plan.filing_parcels.values()) + list(self.plan.finding_parcels.values())
        random.Random(7).shuffle(queues)  # filings and findings interleave
        async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=self.workers * 2)) as client:
            await asyncio.gather(*(self._worker(client, queues[w::self.workers]) for w in range(self.workers)))
        self.finished = time.monotonic()

    async def _worker(self, client: httpx.AsyncClient, queues: list[list[Send]]) -> None:
        for round_ in range(max((len(q) for q in queues), default=0)):
            for queue in queues:
                if round_ < len(queue):
                    await self._paced()
                    await self.send(client, queue[round_])

    async def _paced(self) -> None:
        self.begun += 1
        if self.rate:
            due = self.started + self.begun / self.rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    async def send(self, client: httpx.AsyncClient, send: Send) -> None:
        loop = asyncio.get_running_loop()
        deadline, delay = loop.time() + REQUEST_DEADLINE, 0.1
        while True:
            send.attempts += 1
            try:
                response = await client.post(self.urls[send.service] + send.path, json=send.body,
                                             headers=send.headers)
                if response.status_code in (200, 201, 202):  # 202: a pending inspection, recorded when its parcel arrives
                    send.status = response.status_code
                    if send.kind == "inspection":
                        send.expected = response.json()["findings"][0]["finding_id"]
                    self.accepted += 1
                    return
                if response.status_code >= 500:
                    self.server_errors[response.status_code] = self.server_errors.get(response.status_code, 0) + 1
                waiting_for_parcel = response.status_code == 409 and "unknown-parcel" in response.text
                if response.status_code < 500 and not waiting_for_parcel:
                    self.unexpected.append(f"{send.path} {send.body.get('filing_id') or send.body.get('inspection_id')}"
                                           f": {response.status_code} {response.text[:200]}")
                    return
            except httpx.TransportError:
                pass  # the service is down or restarting: send again, same id
            self.retries += 1
            if loop.time() > deadline:
                self.unexpected.append(f"{send.path}: not accepted within {REQUEST_DEADLINE:.0f}s")
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
