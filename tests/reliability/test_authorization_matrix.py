"""Every endpoint × every caller: exactly the intended combinations get through.

"Gets through" means neither 401 nor 403 (a 404 for an id that does not exist is still "allowed");
everything else must be refused with 401 (no token) or 403 (wrong scope or another street). The
intended matrix is the README's route table with its role table; a route that is not in it fails
the completeness check, so a new endpoint cannot ship without deciding who may call it.
"""

from __future__ import annotations

import random
import struct
import uuid
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from landgrade.roles import ROLES
from landgrade.scope_table import routes
from landgrade.testing import Infra, eventually
from tests.reliability.services import InProcess, in_process
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

pytestmark = [pytest.mark.infra, pytest.mark.reliability]

# Columns: the callers. soA is the street office of the parcel's street, soB another street's.
CALLERS = ["tax", "breg", "land", "soA", "soB", "cplat", "enf", "appr", "portal", "admin", "anon"]
ROLE_OF = {"tax": "tax-system", "breg": "business-registry", "land": "land-staff", "soA": "street-office",
           "soB": "street-office", "cplat": "credit-platform", "enf": "enforcement-staff",
           "appr": "approval-system", "portal": "enterprise-portal", "admin": "admin"}

def parse_matrix() -> dict[tuple[str, str, str], set[str]]:
    """Who may call each route, from the README's route table: every caller whose role holds one
    of its scopes (admin holds all), less the other street's office on routes bound to a street."""
    table = {}
    for route in routes():
        allowed = {c for c in CALLERS if c == "admin" or not route.scopes
                   or (c != "anon" and set(ROLES[ROLE_OF[c]]) & route.scopes)}
        if route.bound == "street":
            allowed.discard("soB")
        table[(route.service, route.method, route.path)] = allowed
    return table


def caller_headers(caller: str) -> dict[str, str]:
    if caller == "anon":
        return {}
    jurisdiction = {"soA": STREET_A, "soB": STREET_B}.get(caller)
    return role_headers(ROLE_OF[caller], jurisdiction)


def _png() -> bytes:
    """A one-pixel PNG, whole and well-formed (evidence uploads are checked to their last byte)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff\xff"))
            + chunk(b"IEND", b""))


PNG = _png()


class Requests:
    """Concrete ids and bodies: real resources where the request needs one."""

    def __init__(self) -> None:
        rng = random.Random()
        self.holder, self.tenant = new_uscc(rng), new_uscc(rng)
        self.id_numbers = [new_id_number(rng) for _ in range(2)]
        self.parcel = f"AUTH-{uuid.uuid4().hex[:8]}"
        self.inspection = f"AUTH-INS-{uuid.uuid4().hex[:8]}"
        self.filing = f"AUTH-TAX-{uuid.uuid4().hex[:8]}"
        self.evidence = "missing"
        self.params = {"parcel_id": self.parcel, "lease_id": "L1", "uscc": self.holder, "other": self.tenant,
                       "filing_id": self.filing, "run_id": str(uuid.uuid4()), "ruleset_id": "missing",
                       "objection_id": str(uuid.uuid4()), "repair_id": str(uuid.uuid4()),
                       "inspection_id": self.inspection, "case_id": str(uuid.uuid4()),
                       "job_id": str(uuid.uuid4()), "street": STREET_A}

    def url(self, path: str) -> str:
        return path.format(**self.params | {"evidence_id": self.evidence})

    def body(self, method: str, path: str) -> dict[str, Any]:
        filing = filing_body(self.filing, self.holder, self.parcel, "1000000", "10000")
        json_bodies: dict[str, Any] = {
            "/v1/parcels/{parcel_id}": parcel_body(self.holder, STREET_A),
            "/v1/parcels/{parcel_id}/leases/{lease_id}": {"tenant_uscc": self.tenant, "area_m2": "100",
                                                          "start": "2024-01-01"},
            "/v1/enterprises/{uscc}": enterprise_body("持有企业", self.id_numbers),
            "/v1/revenue-filings": filing,
            "/v1/revenue-filings/batch": [filing],
            "/v1/evaluation-runs": {"year": 2031},
            "/v1/evaluation-runs/{run_id}/publish": {},
            "/v1/rulesets": {},
            "/v1/rulesets/{ruleset_id}/simulate": {"year": 2024, "changes": {}},
            "/v1/objections": {"parcel_id": self.parcel, "year": 2024, "statement": "数据有误"},
            "/v1/objections/{objection_id}/decision": {"decision": "rejected", "note": "-"},
            "/v1/repairs": {"subject_ref": self.holder, "record_id": "missing", "evidence": ["doc-1"]},
            "/v1/repairs/{repair_id}/approve": {"note": "-"},
            "/v1/repairs/{repair_id}/reject": {"note": "-"},
            "/v1/inspections": inspection_body(self.inspection, self.parcel),
            "/v1/cases/{case_id}/transitions": {"to": "closed", "reason": "-"},
        }
        if path == "/v1/parcels/import":
            return {"files": {"file": ("parcels.csv", b"parcel_id,name\n", "text/csv")}}
        if path == "/v1/inspections/{inspection_id}/evidence":
            return {"files": {"file": ("site.png", PNG, "image/png")}}
        if method in ("POST", "PUT"):
            return {"json": json_bodies.get(path, {})}
        return {}


@pytest.fixture(scope="module")
async def world(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[InProcess, Requests]]:
    async with in_process(infra, tmp_path_factory.mktemp("authz")) as services:
        r = Requests()
        registry, enforcement = services.clients["parcel-registry"], services.clients["enforcement"]
        admin = role_headers("admin")
        for uscc in (r.holder, r.tenant):
            assert (await registry.put(f"/v1/enterprises/{uscc}", json=enterprise_body("企业", r.id_numbers),
                                       headers=admin)).status_code in (200, 201)
        assert (await registry.put(f"/v1/parcels/{r.parcel}", json=parcel_body(r.holder, STREET_A),
                                   headers=admin)).status_code in (200, 201)

        async def inspection_recorded() -> bool:
            response = await enforcement.post("/v1/inspections", json=inspection_body(r.inspection, r.parcel),
                                              headers=caller_headers("soA"))
            return response.status_code in (200, 201)

        await eventually(inspection_recorded, timeout=60)  # once enforcement has heard of the parcel
        upload = await enforcement.post(f"/v1/inspections/{r.inspection}/evidence", headers=caller_headers("soA"),
                                        files={"file": ("site.png", PNG, "image/png")})
        assert upload.status_code in (200, 201), upload.text
        r.evidence = upload.json()["evidence_id"]
        yield services, r


def test_matrix_covers_every_route(world: tuple[InProcess, Requests]) -> None:
    services, _ = world
    table = parse_matrix()
    routes = {(name, method.upper(), path) for name, app in services.apps.items()
              for path, ops in app.openapi()["paths"].items() for method in ops}
    assert routes == set(table), f"not in the matrix: {routes - set(table)}; gone: {set(table) - routes}"


async def test_exactly_the_intended_callers_get_through(world: tuple[InProcess, Requests]) -> None:
    services, r = world
    wrong: list[str] = []
    for (service, method, path), allowed in parse_matrix().items():
        client: httpx.AsyncClient = services.clients[service]
        for caller in CALLERS:
            response = await client.request(method, r.url(path), headers=caller_headers(caller),
                                             **r.body(method, path))
            status = response.status_code
            expected_refusal = 401 if caller == "anon" else 403
            if caller in allowed and (status in (401, 403) or status >= 500):
                wrong.append(f"{caller:6} {method} {path}: {status}, expected to get through")
            if caller not in allowed and status != expected_refusal:
                wrong.append(f"{caller:6} {method} {path}: {status}, expected {expected_refusal}")
    assert not wrong, "\n".join(wrong)
