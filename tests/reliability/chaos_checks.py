"""What the chaos run checks afterwards: every accepted request has exactly one effect, in order,
read back the way users and the outside systems see it (REST, Kafka) and from the credit ledger."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from servicekit.events import CloudEvent
from tests.reliability.chaos_workload import Plan
from tests.reliability.world import role_headers

ADMIN = role_headers("admin")


async def evaluation_histories(evaluation: str, parcels: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each parcel's evaluations, oldest first."""
    async with httpx.AsyncClient(base_url=evaluation, timeout=30) as client:
        async def one(parcel: str) -> list[dict[str, Any]]:
            response = await client.get(f"/v1/parcels/{parcel}/grades", params={"limit": 500}, headers=ADMIN)
            if response.status_code == 404 and response.json()["type"].endswith("/no-grade"):
                return []  # never graded: no history
            assert response.status_code == 200, response.text
            return list(reversed(response.json()["items"]))

        results = await asyncio.gather(*(one(p) for p in parcels))
    return dict(zip(parcels, results, strict=True))


def observed(plan: Plan, histories: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """What each evaluation in a parcel's history says about the request behind it: the parcel-year
    total a filing produced, or the finding an inspection recorded."""
    seen: dict[str, list[str]] = {}
    for parcel, items in histories.items():
        if parcel in plan.filing_parcels:
            # A parcel is graded when it is registered, before any filing (flag no_filing).
            seen[parcel] = [str(Decimal(i["metrics"]["output_value"]).normalize()) for i in items
                            if "no_filing" not in i.get("flags", [])]
        else:
            seen[parcel] = [r["values"].get("violation_id", "") for i in items for r in i["reasons"]
                            if r["code"] == "illegal_construction"]
    return seen


def expected(plan: Plan) -> dict[str, list[str]]:
    want = {p: [str(Decimal(s.expected).normalize()) for s in sends] for p, sends in plan.filing_parcels.items()}
    return want | {p: [s.expected for s in sends] for p, sends in plan.finding_parcels.items()}


def unfinished(want: dict[str, list[str]], seen: dict[str, list[str]]) -> list[str]:
    """Parcels whose last request has not come out of the pipeline yet."""
    return [p for p, wanted in want.items() if wanted and wanted[-1] not in seen.get(p, [])]


def differences(want: dict[str, list[str]], seen: dict[str, list[str]]) -> list[str]:
    """Per parcel: lost, duplicated or reordered effects."""
    problems = []
    for parcel, wanted in want.items():
        got = seen.get(parcel, [])
        if got == wanted:
            continue
        lost = [w for w in wanted if w not in got]
        duplicated = sorted({g for g in got if got.count(g) > 1})
        problems.append(f"{parcel}: {len(wanted)} expected, {len(got)} seen; lost {lost[:5]}, duplicated "
                        f"{duplicated[:5]}, order kept: {[g for g in got if g in wanted] == [w for w in wanted if w in got]}")
    return problems


async def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


async def cases_by_parcel(enforcement: str, parcels: list[str]) -> dict[str, list[dict[str, Any]]]:
    async with httpx.AsyncClient(base_url=enforcement, timeout=30) as client:
        async def one(parcel: str) -> list[dict[str, Any]]:
            response = await client.get("/v1/cases", params={"parcel_id": parcel, "limit": 500}, headers=ADMIN)
            assert response.status_code == 200, response.text
            return list(response.json()["items"])

        return dict(zip(parcels, await asyncio.gather(*(one(p) for p in parcels)), strict=True))


async def read_topic(bootstrap: str, topic: str) -> list[CloudEvent]:
    """Every event on a topic, from the beginning to the current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        from aiokafka import TopicPartition

        tps = [TopicPartition(topic, p) for p in partitions]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        events: list[CloudEvent] = []
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=500)
            events += [CloudEvent.from_bytes(r.value) for records in batch.values() for r in records]
        return events
    finally:
        await consumer.stop()


async def list_topics(bootstrap: str) -> list[str]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        return sorted(await consumer.topics())
    finally:
        await consumer.stop()


def filings_on_the_wire(events: list[CloudEvent]) -> tuple[dict[str, set[str]], int]:
    """(filing id#revision@parcel -> the event ids that announced it there, number of redelivered
    copies on the wire). A filing also announces its filer's other parcels (their totals), hence
    the parcel in the key."""
    ids: dict[str, set[str]] = defaultdict(set)
    copies: dict[str, int] = defaultdict(int)
    for event in events:
        key = f"{event.data['filing_id']}#{event.data['revision']}@{event.data['parcel_id']}"
        ids[key].add(event.id)
        copies[event.id] += 1
    return ids, sum(n - 1 for n in copies.values())
