"""Loads a generated dataset through the public REST APIs, as the land staff, the business
registry, the tax system and the street offices would send it."""

from __future__ import annotations

import asyncio
import json
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx
from rich.console import Console

from landgrade.demo.dataset import Dataset, generate
from landgrade.roles import ROLES
from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET

console = Console()


def _auth(role: str, jurisdiction: str | None = None) -> dict[str, str]:
    secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
    bearer = mint_token(secret, f"demo:{role}", ROLES[role], jurisdiction=jurisdiction)
    return {"Authorization": f"Bearer {bearer}"}


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:500]}")


async def _each(items: Iterable[Any], call: Callable[[Any], Awaitable[None]], concurrency: int = 16) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(item: Any) -> None:
        async with gate:
            await call(item)

    await asyncio.gather(*(one(i) for i in items))


async def load(data: Dataset, registry: str, enforcement: str) -> None:
    async with httpx.AsyncClient(base_url=registry, timeout=120) as reg:
        registry_auth, land_auth = _auth("business-registry"), _auth("land-staff")

        async def put_enterprise(e: dict[str, Any]) -> None:
            body = {k: v for k, v in e.items() if k != "uscc"}
            _check(await reg.put(f"/v1/enterprises/{e['uscc']}", json=body, headers=registry_auth), e["uscc"])

        async def put_parcel(p: dict[str, Any]) -> None:
            body = {k: v for k, v in p.items() if k != "parcel_id"}
            _check(await reg.put(f"/v1/parcels/{p['parcel_id']}", json=body, headers=land_auth), p["parcel_id"])

        async def put_lease(item: tuple[str, str, dict[str, Any]]) -> None:
            parcel_id, lease_id, body = item
            _check(await reg.put(f"/v1/parcels/{parcel_id}/leases/{lease_id}", json=body, headers=land_auth), lease_id)

        console.print(f"  enterprises: {len(data.enterprises)}")
        await _each(data.enterprises, put_enterprise)
        console.print(f"  parcels: {len(data.parcels)}")
        await _each(data.parcels, put_parcel)
        console.print(f"  leases: {len(data.leases)}")
        await _each(data.leases, put_lease)
        console.print(f"  revenue filings: {len(data.filings)}")
        tax = _auth("tax-system") | {"content-type": "application/x-ndjson"}
        for start in range(0, len(data.filings), 5000):
            chunk = data.filings[start:start + 5000]
            body = "\n".join(json.dumps(f, ensure_ascii=False) for f in chunk)
            _check(await reg.post("/v1/revenue-filings/batch", content=body.encode(), headers=tax), "filings")

    by_street: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for inspection in data.inspections:
        by_street[inspection["street"]].append(inspection)
    async with httpx.AsyncClient(base_url=enforcement, timeout=60) as enf:
        console.print(f"  inspections: {len(data.inspections)}")
        for street, inspections in by_street.items():
            office = _auth("street-office", jurisdiction=street)
            for inspection in inspections:
                posted = {k: v for k, v in inspection.items() if k != "street"}
                for _attempt in range(60):  # enforcement learns parcels from registry events
                    response = await enf.post("/v1/inspections", json=posted, headers=office)
                    if response.status_code != 422 or "parcel" not in response.text:
                        break
                    await asyncio.sleep(0.5)
                _check(response, inspection["inspection_id"])


async def publish_years(evaluation: str, final_year: int = 2024, open_year: int = 2025) -> None:
    """The yearly runs an E-Town year would have seen: last year's grades final (benefits follow
    them), this year's published for objections (公示)."""
    admin = _auth("admin")
    async with httpx.AsyncClient(base_url=evaluation, timeout=120) as client:
        for year, window in ((final_year, 0), (open_year, None)):
            response = await client.post("/v1/evaluation-runs", json={"year": year}, headers=admin)
            _check(response, f"yearly run {year}")
            run: dict[str, Any] = response.json()
            while run["state"] in ("queued", "running"):
                await asyncio.sleep(0.5)
                response = await client.get(f"/v1/evaluation-runs/{run['id']}", headers=admin)
                _check(response, "run progress")
                run = response.json()
            body = {"objection_window_days": window} if window is not None else {}
            _check(await client.post(f"/v1/evaluation-runs/{run['id']}/publish", json=body, headers=admin), "publish")
            if window == 0:
                _check(await client.post(f"/v1/evaluation-runs/{run['id']}/finalize", headers=admin), "finalize")
            stage = "final" if window == 0 else "published for objections"
            console.print(f"  yearly run {year}: {run['counts']} ({stage})")


async def _settle(evaluation: str, parcels: int, year: int = 2025, timeout: float = 120) -> None:
    """Waits until event-driven grading has caught up with the loaded data."""
    admin = _auth("admin")
    async with httpx.AsyncClient(base_url=evaluation, timeout=30) as client:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            response = await client.get("/v1/grades/summary", params={"year": year}, headers=admin)
            if response.status_code == 200 and response.json().get("total", 0) >= parcels:
                return
            await asyncio.sleep(1)


async def _empty(registry: str) -> bool:
    async with httpx.AsyncClient(base_url=registry, timeout=30) as client:
        response = await client.get("/v1/parcels", params={"limit": 1}, headers=_auth("land-staff"))
        _check(response, "parcel list")
        return not response.json().get("items")


def seed_if_empty(registry: str = "http://127.0.0.1:8001", enforcement: str = "http://127.0.0.1:8004",
                  evaluation: str = "http://127.0.0.1:8002", parcels: int | None = None) -> bool:
    if not asyncio.run(_empty(registry)):
        console.print("Demo data already present; not seeding again.")
        return False
    size = parcels or int(os.environ.get("LANDGRADE_DEMO_PARCELS", "500"))
    console.print(f"Seeding a synthetic E-Town of {size} parcels through the REST APIs ...")
    asyncio.run(load(generate(size), registry, enforcement))
    asyncio.run(_settle(evaluation, size))
    asyncio.run(publish_years(evaluation))
    return True
