"""Each client writes only the facts it owns: the business registry cannot touch a parcel, a
lease or an import, and land staff cannot rewrite an enterprise."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from landgrade.roles import ROLES
from landgrade.testing import token

pytestmark = pytest.mark.infra

BUSINESS_REGISTRY = token(*ROLES["business-registry"])
LAND_STAFF = token(*ROLES["land-staff"])


async def test_the_business_registry_is_refused_on_every_land_staff_route(
        client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    holder, pid = new_uscc(), f"YZ-{uuid.uuid4().hex[:8]}"
    parcel = {"name": "厂房", "street": "荣华街道", "area_m2": "20000", "category": "approved_park",
              "rights_holder": holder}
    lease = {"tenant_uscc": new_uscc(), "area_m2": "300", "start": "2024-01-01", "approved": True}
    attempts = [
        await client.put(f"/v1/parcels/{pid}", json=parcel, headers=BUSINESS_REGISTRY),
        await client.put(f"/v1/parcels/{pid}/leases/L1", json=lease, headers=BUSINESS_REGISTRY),
        await client.post("/v1/parcels/import", headers=BUSINESS_REGISTRY,
                          files={"file": ("parcels.csv", b"parcel_id,name\n", "text/csv")}),
    ]
    assert [a.status_code for a in attempts] == [403, 403, 403]
    assert (await client.get(f"/v1/parcels/{pid}", headers=LAND_STAFF)).status_code == 404  # nothing written
    assert (await client.put(f"/v1/parcels/{pid}", json=parcel, headers=LAND_STAFF)).status_code in (200, 201)


async def test_land_staff_cannot_rewrite_an_enterprise(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    uscc = new_uscc()
    body = {"name": "北京某科技有限公司", "status": "active", "responsible_persons": [], "shareholders": []}
    assert (await client.put(f"/v1/enterprises/{uscc}", json=body, headers=LAND_STAFF)).status_code == 403
    assert (await client.put(f"/v1/enterprises/{uscc}", json=body,
                             headers=BUSINESS_REGISTRY)).status_code in (200, 201)
