"""What a fault run must leave behind once the system has recovered, shared by the single-broker
chaos run and the cluster run: every accepted request had exactly one effect, in per-parcel
order, through evaluation, the credit ledger and enforcement; nothing dead-lettered; the ledger
verifies. And the canary: a parcel of its own whose next filing must come out of evaluation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

from tests.reliability.chaos_checks import (
    cases_by_parcel,
    differences,
    evaluation_histories,
    expected,
    filings_on_the_wire,
    list_topics,
    observed,
    query,
    read_topic,
    unfinished,
)
from tests.reliability.chaos_workload import Driver, Plan, Send
from tests.reliability.world import YEAR, filing_body, role_headers


@dataclass
class Canary:
    """A parcel of its own: after each fault, one filing must come out of evaluation again."""

    parcel: str
    holder: str
    sends: list[Send] = field(default_factory=list)
    total: Decimal = Decimal(0)

    async def round_trip(self, driver: Driver) -> None:
        output = Decimal(5_000_000 + len(self.sends))
        self.total += output
        body = filing_body(f"{self.parcel}-F{len(self.sends):03d}", self.holder, self.parcel, str(output), "10000")
        send = Send("filing", self.parcel, "parcel-registry", "/v1/revenue-filings", body,
                    role_headers("tax-system"), str(self.total))
        self.sends.append(send)
        async with httpx.AsyncClient(timeout=5) as client:
            await driver.send(client, send)
            while True:
                try:
                    response = await client.get(f"{driver.urls['evaluation']}/v1/parcels/{self.parcel}/grade",
                                                params={"year": YEAR}, headers=role_headers("admin"))
                    if response.status_code == 200 and \
                            Decimal(response.json()["metrics"]["output_value"]) == self.total:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)


async def settle(check: Callable[[], Awaitable[list[str]]], timeout: float) -> list[str]:
    """Polls until nothing is missing (the pipeline has caught up), or returns what still is."""
    deadline = time.monotonic() + timeout
    while True:
        problems = await check()
        if not problems or time.monotonic() > deadline:
            return problems
        await asyncio.sleep(2)


@dataclass
class Verdict:
    problems: list[str]
    credit_problems: list[str]
    case_problems: list[str]
    twice_on_the_wire: list[str]
    dead_lettered: dict[str, int]
    ledger: dict[str, object]
    summary: str


async def verdict(plan: Plan, urls: dict[str, str], credit_db: str, bootstrap: str,
                  settle_timeout: float) -> Verdict:
    want = expected(plan)
    parcels = sorted(want)

    async def still_flowing() -> list[str]:
        return unfinished(want, observed(plan, await evaluation_histories(urls["evaluation"], parcels)))

    settled_at = time.monotonic()
    flowing = await settle(still_flowing, settle_timeout)
    drained = time.monotonic() - settled_at
    histories = await evaluation_histories(urls["evaluation"], parcels)
    problems = flowing + differences(want, observed(plan, histories))
    evaluation_ids = {item["evaluation_id"]: parcel for parcel, items in histories.items() for item in items}

    async def credit_gaps() -> list[str]:
        rows = await query(credit_db, "SELECT evaluation_id, parcel_id FROM grades WHERE parcel_id = ANY(:p)",
                           p=parcels)
        graded = {r[0]: r[1] for r in rows}
        return [f"graded in credit-ledger, unknown to evaluation: {e}" for e in set(graded) - set(evaluation_ids)] + \
               [f"evaluation {e} of {p} never reached credit-ledger" for e, p in evaluation_ids.items()
                if e not in graded]

    finding_parcels = sorted(plan.finding_parcels)

    async def case_gaps() -> list[str]:
        cases = await cases_by_parcel(urls["enforcement"], finding_parcels)
        records = await query(credit_db, "SELECT origin, parcel_id FROM credit_records WHERE kind = 'case' "
                                         "AND parcel_id = ANY(:p)", p=finding_parcels)
        recorded = {r[0] for r in records}
        gaps = [f"{p}: {len(c)} cases" for p, c in cases.items() if len(c) != 1]
        gaps += [f"case {c['case_id']} of {p} has no credit record" for p, cs in cases.items() for c in cs
                 if c["case_id"] not in recorded]
        known = {c["case_id"] for cs in cases.values() for c in cs}
        return gaps + [f"credit record for an unknown case {o}" for o in recorded - known]

    credit_problems = await settle(credit_gaps, 60)
    case_problems = await settle(case_gaps, 60)
    async with httpx.AsyncClient(base_url=urls["credit-ledger"], timeout=60) as client:
        ledger = (await client.get("/v1/ledger/verify", headers=role_headers("admin"))).json()
    topics = await list_topics(bootstrap)
    dead = {t: len(await read_topic(bootstrap, t)) for t in topics if t.endswith(".dlq")}
    wire, copies = filings_on_the_wire(await read_topic(bootstrap, "landgrade.registry.revenue.v1"))
    accepted = [f"{s.body['filing_id']}#0@{s.parcel}" for sends in plan.filing_parcels.values() for s in sends]
    summary = (f"  pipeline drained {drained:.1f}s after the last request; {len(evaluation_ids)} evaluations; "
               f"{copies} filing events redelivered on the wire (deduplicated by the inbox); "
               f"dead-lettered: {sum(dead.values())}; ledger verify: {ledger.get('ok')} "
               f"({ledger.get('checked')} records)")
    return Verdict(problems, credit_problems, case_problems, [f for f in accepted if len(wire.get(f, ())) != 1],
                   dead, ledger, summary)


def assert_sound(v: Verdict) -> None:
    assert not v.problems, "\n".join(v.problems[:30])
    assert not v.credit_problems, "\n".join(v.credit_problems[:30])
    assert not v.case_problems, "\n".join(v.case_problems[:30])
    assert v.twice_on_the_wire == []  # one event per filing, however often it was sent
    assert sum(v.dead_lettered.values()) == 0, v.dead_lettered
    assert v.ledger["ok"] is True, v.ledger
