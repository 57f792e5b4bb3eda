"""A parcel's timeline, composed from the facts evaluation already consumes, read over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from evaluation.adapters.tables import filing_quarters
from landgrade.testing import eventually, token
from landgrade_events.registry import FilingAccepted, HolderPeriod
from servicekit.auth import mint_token
from servicekit.events import CloudEvent
from servicekit.settings import DEV_JWT_SECRET

READ = token("grades:read")
PROBLEMS = "https://landgrade.example/problems/"


def pid() -> str:
    return f"P-{uuid.uuid4().hex[:10]}"


def enterprise(uscc: str) -> dict[str, str]:
    value = mint_token(DEV_JWT_SECRET, f"portal:{uscc}", ["grades:read"], uscc=uscc)
    return {"Authorization": f"Bearer {value}"}


async def _uncounted(service: Any, parcel_id: str, filer: str) -> CloudEvent:
    sent: CloudEvent = await service.send(FilingAccepted(
        filing_id=f"F-{uuid.uuid4().hex[:8]}", revision=1, uscc=filer, parcel_id=parcel_id, year=2025,
        attributed_output=Decimal(1000), attributed_tax=Decimal(10), counted=False,
        parcel_year_output=Decimal(0), parcel_year_tax=Decimal(0), parcel_year_filings=0))
    return sent


async def _consumed(service: Any, filings: list[CloudEvent], timeout: float) -> None:
    """Once evaluation has kept these filings (by quarter, in the transaction that consumed each)."""
    ids = [f.data["filing_id"] for f in filings]

    async def kept() -> bool:
        async with service.ctx.storage.db.sessions() as session:
            found = await session.scalar(select(func.count()).select_from(filing_quarters).where(
                filing_quarters.c.filing_id.in_(ids)))
        return found == len(ids)

    await eventually(kept, timeout=timeout)


async def _timeline_of(service: Any, parcel_id: str, count: int) -> dict[str, Any]:
    """The parcel's timeline once it has `count` entries."""
    async def complete() -> dict[str, Any] | None:
        response = await service.client.get(f"/v1/parcels/{parcel_id}/timeline", headers=READ)
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 and len(body["items"]) == count else None

    found: dict[str, Any] = await eventually(complete, timeout=30)
    return found


async def test_the_timeline_tells_who_occupied_the_parcel_and_when(service) -> None:
    parcel, first, second, tenant, stranger = pid(), *(service.uscc() for _ in range(4))
    await service.parcel(parcel, first)
    await service.parcel(parcel, second, version=2, holders=[
        HolderPeriod(uscc=first, valid_to=date(2025, 3, 1)), HolderPeriod(uscc=second, valid_from=date(2025, 3, 1))])
    lease = await service.lease(parcel, "L1", tenant, approved=False)
    # Filings travel on a topic of their own: one is judged against the parcel as known when it arrives.
    await _timeline_of(service, parcel, 3)
    await _uncounted(service, parcel, stranger)
    await service.finding(parcel, "unauthorised_lease", tenant=tenant, at=datetime(2025, 6, 1, 2, tzinfo=UTC))
    await service.case(parcel, "open", at=datetime(2025, 6, 2, 2, tzinfo=UTC))

    timeline = await _timeline_of(service, parcel, 6)
    by_kind = {e["kind"]: e for e in timeline["items"]}
    assert set(by_kind) == {"holder_recorded", "holder_changed", "lease_registered", "suspected_occupant",
                            "finding_recorded", "case_changed"}
    transfer = by_kind["holder_changed"]
    # The day the transfer took effect, from Beijing midnight (the period's first day).
    assert datetime.fromisoformat(transfer["at"]) == datetime(2025, 2, 28, 16, tzinfo=UTC)
    assert transfer["previous_uscc"] == first
    assert transfer["uscc"] == second and transfer["zh"].startswith("土地使用权由")
    leased = by_kind["lease_registered"]
    assert (leased["uscc"], leased["approved"], Decimal(leased["area_m2"])) == (tenant, False, Decimal(500))
    assert "未经批准" in leased["zh"] and "not approved" in leased["en"]
    assert by_kind["suspected_occupant"]["uscc"] == stranger
    ats = [e["at"] for e in timeline["items"]]
    assert ats == sorted(ats, key=datetime.fromisoformat)  # oldest first

    # Redelivered and repeated facts add nothing: each is followed, on its own topic and key, by a
    # new fact; once those are in, the repeats before them have been consumed.
    await service.send_envelope(lease, parcel)
    await _uncounted(service, parcel, stranger)
    newcomer = service.uscc()
    await service.lease(parcel, "L2", newcomer, approved=True)
    await _uncounted(service, parcel, service.uscc())
    after = await _timeline_of(service, parcel, 8)
    assert [e for e in after["items"] if e["seq"] in {i["seq"] for i in timeline["items"]}] == timeline["items"]
    assert {e["kind"] for e in after["items"]} - set(by_kind) == set()
    assert any(e["kind"] == "lease_registered" and e["uscc"] == newcomer and e["approved"] for e in after["items"])
    timeline = after
    page = (await service.client.get(f"/v1/parcels/{parcel}/timeline", params={"limit": 2}, headers=READ)).json()
    assert page["items"] == timeline["items"][:2] and page["next"] == page["items"][-1]["seq"]
    rest = (await service.client.get(f"/v1/parcels/{parcel}/timeline", params={"after": page["next"]},
                                     headers=READ)).json()
    assert rest["items"] == timeline["items"][2:] and rest["next"] is None

    # The holder's own token reads it; another enterprise's does not; an unknown parcel is a 404.
    assert (await service.client.get(f"/v1/parcels/{parcel}/timeline", headers=enterprise(second))).status_code == 200
    refused = await service.client.get(f"/v1/parcels/{parcel}/timeline", headers=enterprise(tenant))
    assert refused.status_code == 403 and refused.json()["type"] == PROBLEMS + "not-your-parcel"
    unknown = await service.client.get(f"/v1/parcels/{pid()}/timeline", headers=READ)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["type"] == PROBLEMS + "unknown-parcel" and unknown.json()["errors"][0]["field"] == "parcel_id"


async def test_a_filing_consumed_before_its_parcel_shows_its_suspected_occupant_once_the_parcel_arrives(
        service) -> None:  # type: ignore[no-untyped-def]
    # Regression: filings and parcels travel on different topics. A filing consumed before its
    # parcel was known added no entry, and nothing wrote it later.
    parcel, holder, stranger, tenant = pid(), *(service.uscc() for _ in range(3))
    early = await _uncounted(service, parcel, stranger)
    by_tenant = await _uncounted(service, parcel, tenant)
    await _consumed(service, [early, by_tenant], timeout=90)  # a fresh consumer group's first event waits long
    await service.lease(parcel, "L1", tenant, approved=False)  # before the parcel, on its topic and key
    await service.parcel(parcel, holder)

    timeline = await _timeline_of(service, parcel, 3)
    by_kind = {e["kind"]: e for e in timeline["items"]}
    assert set(by_kind) == {"holder_recorded", "lease_registered", "suspected_occupant"}
    suspected = by_kind["suspected_occupant"]
    # The stranger, named by its filing and dated when the filing was recorded; the tenant registered
    # by the time the parcel arrived is on the timeline by its lease, not as a suspect.
    assert (suspected["uscc"], suspected["filing_id"]) == (stranger, early.data["filing_id"])
    assert datetime.fromisoformat(suspected["at"]) == early.time
    assert suspected["zh"].startswith("疑似占用") and by_kind["lease_registered"]["uscc"] == tenant

    # The filing redelivered and the parcel sent again add nothing: each is followed on its own
    # topic and key by a new fact, so once those are in, the repeats before them have been consumed.
    await service.send_envelope(early, parcel)
    await service.parcel(parcel, holder)
    await service.lease(parcel, "L2", service.uscc(), approved=True)
    newcomer = service.uscc()
    await _uncounted(service, parcel, newcomer)
    after = await _timeline_of(service, parcel, 5)
    assert [e for e in after["items"] if e["seq"] in {i["seq"] for i in timeline["items"]}] == timeline["items"]
    assert sorted(e["uscc"] for e in after["items"] if e["kind"] == "suspected_occupant") == sorted(
        [stranger, newcomer])
