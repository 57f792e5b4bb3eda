"""Loads a generated dataset through the public REST APIs, as the land staff, the business
registry, the tax system, the street offices and the enforcement staff would send it, then runs
the yearly cycle an E-Town year would have seen by now."""

from __future__ import annotations

import asyncio
import json
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx
from rich.console import Console

from landgrade.demo.calendar import DemoCalendar
from landgrade.demo.dataset import Dataset, generate
from landgrade.roles import ROLES
from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET

console = Console()
DEFAULT_PARCELS = 500
DEFAULT_SEED = 2025


def _auth(role: str, jurisdiction: str | None = None) -> dict[str, str]:
    secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
    bearer = mint_token(secret, f"demo:{role}", ROLES[role], jurisdiction=jurisdiction)
    return {"Authorization": f"Bearer {bearer}"}


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:500]}")


async def _send(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Every request of the demo is idempotent (PUTs, filings by id, inspections by id), so one a
    dropped connection interrupted (a server closing an idle keep-alive) is sent again."""
    for attempt in range(4):
        try:
            return await client.request(method, url, **kwargs)
        except httpx.TransportError:
            if attempt == 3:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


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
            _check(await _send(reg, "PUT", f"/v1/enterprises/{e['uscc']}", json=body, headers=registry_auth), e["uscc"])

        async def put_parcel(p: dict[str, Any]) -> None:
            body = {k: v for k, v in p.items() if k != "parcel_id"}
            response = await _send(reg, "PUT", f"/v1/parcels/{p['parcel_id']}", json=body, headers=land_auth)
            _check(response, p["parcel_id"])

        async def put_lease(lease: dict[str, Any]) -> None:
            body = {k: v for k, v in lease.items() if k not in ("parcel_id", "lease_id")}
            url = f"/v1/parcels/{lease['parcel_id']}/leases/{lease['lease_id']}"
            _check(await _send(reg, "PUT", url, json=body, headers=land_auth), lease["lease_id"])

        console.print(f"  enterprises: {len(data.enterprises)}")
        await _each(data.enterprises, put_enterprise)
        console.print(f"  parcels: {len(data.parcels)} (with outlines)")
        await _each(data.parcels, put_parcel)
        console.print(f"  leases: {len(data.leases)}")
        await _each(data.leases, put_lease)
        console.print(f"  revenue filings: {len(data.filings)} ({', '.join(map(str, data.calendar.years))})")
        tax = _auth("tax-system") | {"content-type": "application/x-ndjson"}
        for start in range(0, len(data.filings), 5000):
            chunk = data.filings[start:start + 5000]
            body = "\n".join(json.dumps(f, ensure_ascii=False) for f in chunk)
            _check(await _send(reg, "POST", "/v1/revenue-filings/batch", content=body.encode(), headers=tax), "filings")

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
                    response = await _send(enf, "POST", "/v1/inspections", json=posted, headers=office)
                    if response.status_code not in (422, 503) or "parcel" not in response.text:
                        break
                    await asyncio.sleep(0.5)
                _check(response, inspection["inspection_id"])


async def _run_year(client: httpx.AsyncClient, year: int, admin: dict[str, str]) -> dict[str, Any] | None:
    response = await client.post("/v1/evaluation-runs", json={"year": year}, headers=admin)
    if response.status_code in (409, 422):  # no ruleset covers the year, or it is final already
        console.print(f"  yearly run {year}: not run ({response.status_code})")
        return None
    _check(response, f"yearly run {year}")
    run: dict[str, Any] = response.json()
    while run["state"] in ("queued", "running"):
        await asyncio.sleep(0.5)
        response = await client.get(f"/v1/evaluation-runs/{run['id']}", headers=admin)
        _check(response, "run progress")
        run = response.json()
    return run


async def _publish(client: httpx.AsyncClient, run_id: str, year: int, final: bool,
                   admin: dict[str, str]) -> httpx.Response:
    """A past year was published in the spring after it (`published_on`, so its objection window
    closed long ago and it can be made final now); last year's is published today."""
    url = f"/v1/evaluation-runs/{run_id}/publish"
    if not final:
        return await client.post(url, json={}, headers=admin)
    response = await client.post(url, json={"published_on": f"{year + 1}-04-15"}, headers=admin)
    if response.status_code == 422:  # a service without `published_on`: a window of no days
        response = await client.post(url, json={"objection_window_days": 0}, headers=admin)
    return response


async def publish_years(evaluation: str, calendar: DemoCalendar) -> None:
    """The yearly runs E-Town would have seen by now: the years before last final (benefits and
    cases follow them), last year's published for objections (公示)."""
    admin = _auth("admin")
    async with httpx.AsyncClient(base_url=evaluation, timeout=120) as client:
        for year in (*calendar.final_years, calendar.open_year):
            run = await _run_year(client, year, admin)
            if run is None:
                continue
            final = year in calendar.final_years
            response = await _publish(client, run["id"], year, final, admin)
            if final and response.status_code in (409, 422):  # a service that cannot record it
                response = await client.post(f"/v1/evaluation-runs/{run['id']}/publish", json={}, headers=admin)
                final = False
            _check(response, f"publish {year}")
            if final:
                response = await client.post(f"/v1/evaluation-runs/{run['id']}/finalize", headers=admin)
                final = response.status_code < 300  # else it stays published, which a person can finish
            stage = "final" if final else "published for objections"
            console.print(f"  yearly run {year}: {run['counts']} ({stage})")


async def move_cases(enforcement: str, plans: list[dict[str, Any]], timeout: float = 60) -> int:
    """Moves the cases the grades opened as far as each plan says (enforcement staff's work so
    far: inspections started, plans issued, renewal plans agreed). Returns the cases moved."""
    staff = _auth("enforcement-staff")
    moved = 0
    async with httpx.AsyncClient(base_url=enforcement, timeout=30) as client:
        deadline = asyncio.get_running_loop().time() + timeout
        for plan in (p for p in plans if p["moves"]):
            case = None
            while case is None and asyncio.get_running_loop().time() < deadline:
                response = await client.get("/v1/cases", params={"parcel_id": plan["parcel_id"], "kind": plan["kind"]},
                                            headers=staff)
                _check(response, "case list")
                found = [c for c in response.json()["items"] if c["state"] != "closed"]
                case = found[0] if found else None
                if case is None:
                    await asyncio.sleep(0.5)
            if case is None:
                continue
            for move in plan["moves"]:
                if move["to"] not in case["allowed_transitions"]:
                    break
                response = await client.post(f"/v1/cases/{case['case_id']}/transitions", json=move, headers=staff)
                _check(response, f"case {case['case_id']} to {move['to']}")
                case = response.json()
            moved += 1
    return moved


async def _settle(evaluation: str, parcels: int, year: int, timeout: float = 120) -> None:
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


def case_history_env(data: Dataset) -> dict[str, str]:
    """Enforcement's environment while the demo's case history is made: its clock (`CLOCK_AT`) on
    the case history day, so that the cases the grades open, and the moves made that day, are dated
    then, as they would have been had the service been running that day."""
    return {"CLOCK_AT": f"{data.calendar.case_history_on.isoformat()}T10:00:00+08:00"}


async def seed(data: Dataset, registry: str, enforcement: str, evaluation: str,
               catch_up: Callable[[], Awaitable[None]] | None = None) -> None:
    """Loads `data` and runs the years: loading, grading, publication, then the cases' moves.

    With `catch_up`, enforcement is expected to run on `case_history_env(data)` meanwhile: the moves
    of the case history day are made, `catch_up` brings enforcement to today (a restart on today's
    clock), then today's moves are made, so a case left since the history day is overdue now.
    Without it every move is made on enforcement's own clock and no case is overdue yet."""
    calendar = data.calendar
    await load(data, registry, enforcement)
    await _settle(evaluation, len(data.parcels), calendar.open_year)
    await publish_years(evaluation, calendar)
    today = calendar.today.isoformat()
    moved = await move_cases(enforcement, [c for c in data.cases if c["moved_on"] < today])
    if catch_up is not None:
        await catch_up()
    moved += await move_cases(enforcement, [c for c in data.cases if c["moved_on"] >= today])
    console.print(f"  cases moved on: {moved} of {sum(1 for c in data.cases if c['moves'])} planned"
                  + ("" if catch_up else " (enforcement on its own clock throughout: none overdue yet)"))


async def seed_with_case_history(data: Dataset, registry: str, enforcement: str, evaluation: str,
                                 restart_enforcement: Callable[[dict[str, str]], None]) -> None:
    """`seed` on a stack whose enforcement service can be restarted (`restart_enforcement`: with
    these variables over its own environment, returning once it is ready): on the case history
    day's clock for the load and that day's moves, then on its own clock again for today's."""
    console.print(f"  enforcement on the case history day's clock ({data.calendar.case_history_on})")
    await asyncio.to_thread(restart_enforcement, case_history_env(data))

    async def back_to_today() -> None:
        console.print("  enforcement back on its own clock")
        await asyncio.to_thread(restart_enforcement, {})

    await seed(data, registry, enforcement, evaluation, back_to_today)


def seed_if_empty(registry: str = "http://127.0.0.1:8001", enforcement: str = "http://127.0.0.1:8004",
                  evaluation: str = "http://127.0.0.1:8002", parcels: int | None = None,
                  seed_value: int | None = None,
                  restart_enforcement: Callable[[dict[str, str]], None] | None = None) -> bool:
    """Seeds an empty registry; False when it already holds parcels. A stack that runs the
    services itself (`make run`) passes `restart_enforcement` (see `seed_with_case_history`), so
    that the demo has overdue cases; without it enforcement keeps its clock and none is overdue yet."""
    if not asyncio.run(_empty(registry)):
        console.print("Demo data already present; not seeding again.")
        return False
    size = parcels or int(os.environ.get("LANDGRADE_DEMO_PARCELS", str(DEFAULT_PARCELS)))
    chosen = seed_value if seed_value is not None else int(os.environ.get("LANDGRADE_DEMO_SEED", str(DEFAULT_SEED)))
    data = generate(size, chosen)
    console.print(f"Seeding a synthetic E-Town of {size} parcels (seed {chosen}, today {data.today}) "
                  "through the REST APIs ...")
    if restart_enforcement is None:
        asyncio.run(seed(data, registry, enforcement, evaluation))
    else:
        asyncio.run(seed_with_case_history(data, registry, enforcement, evaluation, restart_enforcement))
    return True
