"""The four services and the console as processes on the session's PostgreSQL and Kafka, seeded
through the services' REST APIs with a small E-Town of known grades, and one console account per
person role."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.accounts import AccountStore, demo_accounts
from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES, start_service, stop_processes, wait_ready
from landgrade.roles import ROLES
from landgrade.testing import Infra
from landgrade_reference.resident_ids import resident_id_check_character
from landgrade_reference.uscc import with_check_character
from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET

PASSWORD = "landgrade"
YEAR = 2025
CLOCK_AT = "2026-03-02T10:00:00"  # the map's default year is then 2025
RONGHUA, BOXING = "荣华街道", "博兴街道"
SCRIPT_NAME = "<script>alert(1)</script>北京亦庄测试有限公司"


def uscc(n: int) -> str:
    return with_check_character(f"91110302MA0{n:06d}")


def resident_id(n: int) -> str:
    first17 = f"11010119800101{n:03d}"
    return first17 + resident_id_check_character(first17)


def square(west: float, south: float, size: float = 0.004) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass(frozen=True)
class Plot:
    parcel_id: str
    street: str
    holder: int  # enterprise number
    grade: str
    output: str
    tax: str
    west: float
    south: float


# The phone finding's case alone reads it, in a street no other test counts.
FINDING_PARCEL = "CT-BX-0002"
# 1 ha each: output/tax per hectare are the filed amounts. A: ≥ 3亿 and ≥ 2000万; B: below.
PLOTS = [
    Plot("CT-RH-0001", RONGHUA, 1, "A", "450000000", "30000000", 116.500, 39.800),
    Plot("CT-RH-0002", RONGHUA, 2, "B", "238000000", "25000000", 116.506, 39.800),
    Plot("CT-RH-0003", RONGHUA, 3, "D", "500000000", "40000000", 116.512, 39.800),
    Plot("CT-RH-0004", RONGHUA, 4, "B", "100000000", "5000000", 116.500, 39.806),
    Plot("CT-RH-0005", RONGHUA, 5, "A", "320000000", "21000000", 116.506, 39.806),
    Plot("CT-BX-0001", BOXING, 6, "B", "100000000", "1000000", 116.560, 39.780),
    Plot(FINDING_PARCEL, BOXING, 7, "B", "100000000", "5000000", 116.566, 39.780),
]
TENANT = 90  # the unrelated tenant of CT-RH-0003's unauthorised lease
OCCUPANT_RH, OCCUPANT_BX = 91, 92  # file for parcels they do not occupy: inspection tasks


@dataclass
class ConsoleStack:
    urls: dict[str, str]
    console: str
    logs: Path
    enterprise_uscc: str

    def token(self, role: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(DEV_JWT_SECRET, f"test:{role}", ROLES[role], **claims)}


def _auth(role: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(DEV_JWT_SECRET, f"seed:{role}", ROLES[role], **claims)}


def _ok(response: httpx.Response) -> None:
    assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.text[:400]}"


async def _seed(urls: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        registry, evaluation, enforcement = urls["parcel-registry"], urls["evaluation"], urls["enforcement"]
        reg, land, tax = _auth("business-registry"), _auth("land-staff"), _auth("tax-system")
        names = {n: f"北京亦庄测试{n}号科技有限公司" for n in (*range(1, 8), TENANT, OCCUPANT_RH, OCCUPANT_BX)}
        names[4] = SCRIPT_NAME
        for n, name in names.items():
            _ok(await http.put(f"{registry}/v1/enterprises/{uscc(n)}", headers=reg, json={
                "name": name, "status": "active",
                "responsible_persons": [{"name": f"测试{n}", "role": "legal_representative", "id_number": resident_id(n)}]}))
        for plot in PLOTS:
            _ok(await http.put(f"{registry}/v1/parcels/{plot.parcel_id}", headers=land, json={
                "name": f"测试地块{plot.parcel_id}", "address": "测试路 1 号", "street": plot.street, "area_m2": "10000",
                "category": "self_use", "rights_holder": uscc(plot.holder), "geometry": square(plot.west, plot.south)}))
        _ok(await http.put(f"{registry}/v1/parcels/CT-RH-0003/leases/L-1", headers=land, json={
            "tenant_uscc": uscc(TENANT), "area_m2": "2000", "start": "2025-01-01", "approved": False}))
        filings = [{"filing_id": f"CT-{p.parcel_id}", "uscc": uscc(p.holder), "parcel_id": p.parcel_id, "year": YEAR,
                    "output_value": p.output, "tax_paid": p.tax} for p in PLOTS]
        filings += [{"filing_id": "CT-OCC-RH", "uscc": uscc(OCCUPANT_RH), "parcel_id": "CT-RH-0002", "year": YEAR,
                     "output_value": "1000000", "tax_paid": "10000"},
                    {"filing_id": "CT-OCC-BX", "uscc": uscc(OCCUPANT_BX), "parcel_id": "CT-BX-0001", "year": YEAR,
                     "output_value": "1000000", "tax_paid": "10000"}]
        _ok(await http.post(f"{registry}/v1/revenue-filings/batch", headers=tax, json=filings))
        office = _auth("street-office", jurisdiction=RONGHUA)
        for _ in range(120):  # enforcement learns the parcel from the registry's event
            response = await http.post(f"{enforcement}/v1/inspections", headers=office, json={
                "inspection_id": "CT-INS-RH-0003", "parcel_id": "CT-RH-0003", "inspected_at": "2025-11-20T10:00:00+08:00",
                "inspector": "荣华街道巡检组", "findings": [{"type": "unauthorised_lease", "tenant_uscc": uscc(TENANT),
                                                       "holder_attitude": "refuses_to_correct"}]})
            if response.status_code != 422:
                break
            await asyncio.sleep(0.5)
        _ok(response)
        admin = _auth("admin")
        await _settle(http, evaluation, enforcement, admin)
        await _publish_year(http, evaluation, land)


async def _publish_year(http: httpx.AsyncClient, evaluation: str, land: dict[str, str]) -> None:
    """The year's run, published: its objection window is open on the stack's clock, so an
    enterprise may object to its grade."""
    response = await http.post(f"{evaluation}/v1/evaluation-runs", headers=land, json={"year": YEAR})
    _ok(response)
    run = response.json()
    deadline = time.monotonic() + 120
    while run["state"] in ("queued", "running") and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        run = (await http.get(f"{evaluation}/v1/evaluation-runs/{run['id']}", headers=land)).json()
    assert run["state"] == "draft", f"the seed's yearly run did not finish: {run}"
    _ok(await http.post(f"{evaluation}/v1/evaluation-runs/{run['id']}/publish", headers=land, json={}))


async def _settle(http: httpx.AsyncClient, evaluation: str, enforcement: str, admin: dict[str, str]) -> None:
    wanted = {p.parcel_id: p.grade for p in PLOTS}
    graded: dict[str, str] = {}
    tasks: dict[str, Any] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        graded = {}
        for street in (RONGHUA, BOXING):
            page = (await http.get(f"{evaluation}/v1/grades", headers=admin,
                                   params={"street": street, "year": YEAR, "limit": 100})).json()
            graded |= {g["parcel_id"]: g["grade"] for g in page.get("items", [])}
        tasks = (await http.get(f"{enforcement}/v1/inspection-tasks", headers=admin)).json()
        if graded == wanted and tasks.get("total", 0) >= 2:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"grades {graded} never became {wanted}, or tasks missing: {tasks}")


@pytest.fixture(scope="module")
def console_stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleStack]:
    run = uuid.uuid4().hex[:8]
    logs = tmp_path_factory.mktemp("console-logs")
    urls, processes = {}, []
    # Its consumers begin now: the session's topics already hold other suites' parcels, some in
    # these same streets, which would be drawn on the map.
    common = {"ENVIRONMENT": "test", "KAFKA_CONSUMER_GROUP_PREFIX": f"console-{run}", "OUTBOX_POLL_SECONDS": "0.02",
              "KAFKA_CONSUMER_START_AT": datetime.now(UTC).isoformat(),
              "EVIDENCE_DIR": str(logs / "evidence"), "CLOCK_AT": CLOCK_AT}
    try:
        for spec in SERVICES:
            port = free_port()
            env = common | {"DATABASE_URL": infra.database_url(f"console_{spec.database}_{run}")}
            processes.append(start_service(spec, infra.bootstrap, infra.db_base, port=port, extra_env=env, log_dir=logs))
            urls[spec.name] = f"http://127.0.0.1:{port}"
        for spec, process in zip(SERVICES, processes, strict=True):
            wait_ready(urls[spec.name], timeout=300, process=process)
        # Its own thread and loop: the session's event loop may be running in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _seed(urls)).result()
        accounts = logs / "accounts.json"
        store = AccountStore(accounts)
        for account in demo_accounts(PASSWORD, uscc(4), street=RONGHUA, other_street=BOXING):
            store.put(account)
        port = free_port()
        env = os.environ | common | {
            "HTTP_PORT": str(port), "ACCOUNTS_FILE": str(accounts), "LOG_JSON": "true",
            "REGISTRY_URL": urls["parcel-registry"], "EVALUATION_URL": urls["evaluation"],
            "CREDIT_URL": urls["credit-ledger"], "ENFORCEMENT_URL": urls["enforcement"]}
        out = (logs / "console.log").open("ab")
        processes.append(subprocess.Popen([sys.executable, "-c", "from console.bootstrap import main; main()"],
                                          env=env, stdout=out, stderr=subprocess.STDOUT))
        console = f"http://127.0.0.1:{port}"
        wait_ready(console, timeout=120, process=processes[-1])
        yield ConsoleStack(urls, console, logs, uscc(4))
    finally:
        stop_processes(processes)
