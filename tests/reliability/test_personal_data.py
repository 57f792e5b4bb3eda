"""Personal data: after driving the four services (as separate processes) with enterprises whose
responsible persons and shareholders have resident ID numbers — through filings, an inspection,
a yearly run with final grades and credit records that reach the persons — no 18-character ID
number appears in any service log, any event on a `landgrade.*` topic, any row of any service
database (audit rows included), or any answer to a caller other than admin.

Admin's own read of an enterprise is the control: it shows the numbers, so the search finds them
where they are.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from landgrade.testing import Infra, closed_objection_window, eventually
from landgrade_reference.resident_ids import resident_id_problems
from tests.reliability.chaos_checks import list_topics, query, read_topic
from tests.reliability.stack import ProcessStack
from tests.reliability.world import (
    STREET_A,
    STREET_B,
    YEAR,
    enterprise_body,
    filing_body,
    inspection_body,
    new_id_number,
    new_uscc,
    parcel_body,
    role_headers,
)

pytestmark = [pytest.mark.infra, pytest.mark.e2e, pytest.mark.reliability]

_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def id_numbers_in(text: str) -> set[str]:
    """Every valid resident ID number (right length, birth date and check character) in `text`."""
    return {m for m in _CANDIDATE.findall(text) if not resident_id_problems(m)}


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessStack]:
    running = ProcessStack.start(infra.bootstrap, infra.db_base, tmp_path_factory.mktemp("pii-logs"))
    try:
        yield running
    finally:
        running.stop()


class Recorder:
    """Every answer the services gave to a caller other than admin."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, str]] = []  # (what was asked, the answer)

    async def call(self, client: httpx.AsyncClient, method: str, url: str, role: str | None,
                   jurisdiction: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = role_headers(role, jurisdiction) if role else {}
        response = await client.request(method, url, headers=headers, **kwargs)
        if role != "admin":
            self.bodies.append((f"{method} {url} -> {response.status_code}", response.text))
        return response


@pytest.fixture(scope="module")
async def driven(stack: ProcessStack) -> AsyncIterator[tuple[Recorder, set[str], str]]:
    rng, run = random.Random(), uuid.uuid4().hex[:6]
    holder, parent, tenant = new_uscc(rng), new_uscc(rng), new_uscc(rng)
    numbers = {u: [new_id_number(rng), new_id_number(rng)] for u in (holder, parent, tenant)}
    parcels = {f"PII-{run}-1": (holder, STREET_A), f"PII-{run}-2": (parent, STREET_B)}
    r = Recorder()
    registry, evaluation = stack.url("parcel-registry"), stack.url("evaluation")
    credit, enforcement = stack.url("credit-ledger"), stack.url("enforcement")
    async with httpx.AsyncClient(timeout=60) as c:
        for uscc, owner in ((parent, None), (holder, parent), (tenant, None)):
            response = await r.call(c, "PUT", f"{registry}/v1/enterprises/{uscc}", "business-registry",
                                    json=enterprise_body(f"企业{uscc[-4:]}", numbers[uscc], owner))
            assert response.status_code in (200, 201), response.text
        for parcel, (owner, street) in parcels.items():
            assert (await r.call(c, "PUT", f"{registry}/v1/parcels/{parcel}", "land-staff",
                                 json=parcel_body(owner, street))).status_code in (200, 201)
        first = next(iter(parcels))
        lease = {"tenant_uscc": tenant, "area_m2": "500", "start": "2024-01-01"}
        assert (await r.call(c, "PUT", f"{registry}/v1/parcels/{first}/leases/L1", "land-staff",
                             json=lease)).status_code in (200, 201)
        for n, (parcel, (owner, _)) in enumerate(parcels.items()):
            body = filing_body(f"PII-{run}-F{n}", owner, parcel, "50000000", "3000000")
            assert (await r.call(c, "POST", f"{registry}/v1/revenue-filings", "tax-system",
                                 json=body)).status_code == 201
        # Hostile and careless callers: a wrong ID number, and ID numbers where USCCs belong.
        wrong = numbers[holder][0][:-1] + ("0" if numbers[holder][0][-1] != "0" else "1")
        assert (await r.call(c, "PUT", f"{registry}/v1/enterprises/{holder}", "business-registry",
                             json=enterprise_body("企业", [wrong]))).status_code == 422
        await r.call(c, "GET", f"{credit}/v1/subjects/{numbers[holder][0]}/credit", "credit-platform")
        await r.call(c, "GET", f"{credit}/v1/subjects/{numbers[holder][1]}/credit", "admin")
        await r.call(c, "GET", f"{registry}/v1/enterprises/{numbers[tenant][0]}", "business-registry")
        await r.call(c, "GET", f"{registry}/v1/parcels", "land-staff", params={"holder": numbers[parent][0]})

        async def inspected() -> bool:
            response = await r.call(c, "POST", f"{enforcement}/v1/inspections", "street-office", STREET_A,
                                    json=inspection_body(f"PII-{run}-I1", first) | {"findings": [
                                        {"type": "unauthorised_lease", "tenant_uscc": tenant,
                                         "holder_attitude": "refuses_to_correct", "note": "二层出租"}]})
            return response.status_code in (200, 201)

        await eventually(inspected, timeout=60)
        await eventually(lambda: _graded(c, evaluation, list(parcels)), timeout=60)
        started = await r.call(c, "POST", f"{evaluation}/v1/evaluation-runs", "admin", json={"year": YEAR})
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        await eventually(lambda: _run_state(c, evaluation, run_id, "draft"), timeout=120)
        assert (await r.call(c, "POST", f"{evaluation}/v1/evaluation-runs/{run_id}/publish", "admin",
                             json=closed_objection_window())).status_code == 200
        assert (await r.call(c, "POST", f"{evaluation}/v1/evaluation-runs/{run_id}/finalize",
                             "admin")).status_code == 200
        await eventually(lambda: _person_records(c, credit, holder), timeout=90)

        # What the non-admin callers read afterwards.
        for role in ("business-registry", "land-staff"):
            for uscc in (holder, parent, tenant):
                await r.call(c, "GET", f"{registry}/v1/enterprises/{uscc}", role)
                await r.call(c, "GET", f"{registry}/v1/enterprises/{uscc}/related", role)
            await r.call(c, "GET", f"{registry}/v1/enterprises/{holder}/equity-links/{parent}", role)
            await r.call(c, "GET", f"{registry}/v1/parcels", role)
            for parcel in parcels:
                await r.call(c, "GET", f"{registry}/v1/parcels/{parcel}", role)
                await r.call(c, "GET", f"{registry}/v1/parcels/{parcel}/output", role, params={"year": YEAR})
        await r.call(c, "GET", f"{registry}/v1/revenue-filings/PII-{run}-F0", "tax-system")
        for parcel in parcels:
            for role in ("credit-platform", "land-staff", "enforcement-staff"):
                await r.call(c, "GET", f"{evaluation}/v1/parcels/{parcel}/grade", role)
                await r.call(c, "GET", f"{evaluation}/v1/parcels/{parcel}/grades", role)
        await r.call(c, "GET", f"{evaluation}/v1/grades", "credit-platform")
        for uscc in (holder, parent, tenant):
            await r.call(c, "GET", f"{credit}/v1/subjects/{uscc}/credit", "credit-platform")
            await r.call(c, "GET", f"{credit}/v1/benefits/{uscc}", "approval-system")
        await r.call(c, "GET", f"{credit}/v1/benefits", "approval-system")
        await r.call(c, "GET", f"{credit}/v1/ledger/verify", "credit-platform")
        await r.call(c, "GET", f"{credit}/v1/public/quality-holders", None, params={"year": YEAR})
        await r.call(c, "GET", f"{enforcement}/v1/cases", "enforcement-staff")
        await r.call(c, "GET", f"{enforcement}/v1/inspections/PII-{run}-I1", "street-office", STREET_A)
        await r.call(c, "GET", f"{enforcement}/v1/inspection-tasks", "street-office", STREET_A)
        admin_view = await c.get(f"{registry}/v1/enterprises/{holder}", headers=role_headers("admin"))
    everyone = {n for ns in numbers.values() for n in ns}
    yield r, everyone, admin_view.text


async def _graded(c: httpx.AsyncClient, evaluation: str, parcels: list[str]) -> bool:
    answers = await asyncio.gather(*(c.get(f"{evaluation}/v1/parcels/{p}/grade", headers=role_headers("admin"))
                                     for p in parcels))
    return all(a.status_code == 200 for a in answers)


async def _run_state(c: httpx.AsyncClient, evaluation: str, run_id: str, state: str) -> bool:
    response = await c.get(f"{evaluation}/v1/evaluation-runs/{run_id}", headers=role_headers("admin"))
    return response.status_code == 200 and response.json()["state"] == state


async def _person_records(c: httpx.AsyncClient, credit: str, holder: str) -> bool:
    response = await c.get(f"{credit}/v1/subjects/{holder}/credit", headers=role_headers("credit-platform"))
    return response.status_code == 200 and "person" in response.text


def test_the_search_finds_id_numbers_where_they_are(driven: tuple[Recorder, set[str], str]) -> None:
    _, numbers, admin_view = driven
    assert id_numbers_in(admin_view) & numbers  # admin sees them unmasked: the control


def test_no_id_number_in_any_answer_but_admin(driven: tuple[Recorder, set[str], str]) -> None:
    recorder, numbers, _ = driven
    leaks = [f"{asked}: {answer[:300]}" for asked, answer in recorder.bodies
             if id_numbers_in(answer) or any(n in answer for n in numbers)]
    assert len(recorder.bodies) > 50
    assert not leaks, leaks


def test_no_id_number_in_service_logs(driven: tuple[Recorder, set[str], str], stack: ProcessStack) -> None:
    _, numbers, _ = driven
    for service in stack.services.values():
        text = service.log_file.read_text(errors="replace")
        assert "request" in text  # the log is there and has been written
        found = id_numbers_in(text) | {n for n in numbers if n in text}
        assert not found, f"{service.spec.name} logged {len(found)} ID numbers"


async def test_no_id_number_in_any_event(driven: tuple[Recorder, set[str], str], stack: ProcessStack) -> None:
    _, numbers, _ = driven
    bootstrap = next(iter(stack.services.values())).bootstrap
    leaks = []
    checked = 0
    for topic in await list_topics(bootstrap):
        if not topic.startswith("landgrade."):
            continue
        for event in await read_topic(bootstrap, topic):
            if event.source == "test":
                continue  # events other suites publish by hand, not the services
            checked += 1
            text = event.model_dump_json()
            if id_numbers_in(text) or any(n in text for n in numbers):
                leaks.append(f"{topic} {event.type} {event.id}")
    assert checked > 0
    assert not leaks, leaks[:10]


async def test_no_id_number_in_any_row(driven: tuple[Recorder, set[str], str], stack: ProcessStack) -> None:
    """Audit rows, outbox payloads, idempotency records, projections: every table of every service."""
    _, numbers, _ = driven
    leaks = []
    for name in stack.services:
        url = stack.database_url(name)
        columns = await query(url, "SELECT table_name, column_name, data_type FROM information_schema.columns "
                                   "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
        by_table: dict[str, list[str]] = {}
        for table, column, data_type in columns:
            # Binary columns (event payloads in the outbox) are read as the bytes they hold.
            by_table.setdefault(table, []).append(
                f"encode(\"{column}\", 'escape')" if data_type == "bytea" else f"\"{column}\"::text")
        for table, selected in by_table.items():
            for row in await query(url, f'SELECT {", ".join(selected)} FROM "{table}"'):
                text = " ".join(str(v) for v in row)
                if id_numbers_in(text) or any(n in text for n in numbers):
                    leaks.append(f"{name}.{table}: {text[:200]}")
    assert not leaks, leaks[:10]
