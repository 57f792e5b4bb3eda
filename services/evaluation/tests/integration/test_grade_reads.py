"""A parcel's current grade is served from memory between changes, and a change is seen at once:
the database's change notice (sent when the re-grade commits) drops the remembered answer."""

from __future__ import annotations

import uuid
from typing import Any

from landgrade.testing import eventually, token

YEAR = 2025


async def _graded_b(service: Any) -> tuple[str, str, dict[str, Any]]:
    """A parcel of its own, graded B, with the answer cache listening."""
    parcel, holder = f"P-{uuid.uuid4().hex[:10]}", service.uscc()
    await eventually(lambda: service.ctx.grade_reads.live or None)
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, YEAR, "241000000", "25000000")
    # The filing's B, not the registration's: a later read would find the grade moved on.
    return parcel, holder, await service.grade_becomes(parcel, "B", YEAR, output="241000000.00")


async def test_a_remembered_grade_gives_way_to_the_regrade(service) -> None:
    parcel, holder, first = await _graded_b(service)
    cache = service.ctx.grade_reads

    hits = cache.hits
    assert await service.grade(parcel, YEAR) == first
    assert await service.grade(parcel, YEAR) == first
    assert cache.hits >= hits + 1  # answered from memory

    await service.filing(parcel, holder, YEAR, "320000000", "26000000")
    lifted = await service.grade_becomes(parcel, "A", YEAR, timeout=15)
    assert lifted["previous_grade"] == "B"
    assert (await service.grade(parcel))["grade"] == "A"  # the latest-year answer moved too


async def test_remembered_answers_are_the_routes_own_and_everything_unusual_goes_to_the_route(service) -> None:
    parcel, _holder, _first = await _graded_b(service)
    cache = service.ctx.grade_reads
    url, reader = f"/v1/parcels/{parcel}/grade", token("grades:read")

    from_route = await service.client.get(url, params={"year": YEAR}, headers=reader)  # remembers it
    hits = cache.hits
    remembered = await service.client.get(url, params={"year": YEAR}, headers=reader)
    assert cache.hits == hits + 1
    assert remembered.content == from_route.content and remembered.status_code == 200
    assert remembered.headers["content-type"] == from_route.headers["content-type"] == "application/json"
    assert remembered.headers["x-request-id"] and remembered.headers["traceparent"]  # still observed

    assert (await service.client.get(url, params={"year": YEAR})).status_code == 401
    assert (await service.client.get(url, params={"year": YEAR}, headers=token("cases:read"))).status_code == 403
    forged = token("grades:read", secret="not-the-configured-secret-of-this-deployment")
    assert (await service.client.get(url, params={"year": YEAR}, headers=forged)).status_code == 401
    assert (await service.client.get(url, params={"year": "abc"}, headers=reader)).status_code == 422
    assert (await service.client.get(url, params={"year": 1999}, headers=reader)).status_code == 422
    assert (await service.client.get(url, params={"year": YEAR}, headers=token("admin"))).content == from_route.content
    metrics = (await service.client.get("/metrics")).text
    assert 'route="/v1/parcels/{parcel_id}/grade"' in metrics


async def test_a_change_made_by_this_service_is_read_at_once_however_late_its_notice(service, monkeypatch) -> None:
    parcel, holder, first = await _graded_b(service)
    cache = service.ctx.grade_reads
    assert await service.grade(parcel, YEAR) == first
    hits = cache.hits
    assert await service.grade(parcel, YEAR) == first and cache.hits == hits + 1  # remembered

    # Change notices from PostgreSQL are held back: only the committing transaction itself can
    # drop the remembered answer now (a grade read right after an upheld objection used to
    # answer the old grade until the notice came).
    monkeypatch.setattr(cache, "invalidate", lambda tag: None)
    await service.filing(parcel, holder, YEAR, "320000000", "26000000")
    lifted = await service.grade_becomes(parcel, "A", YEAR, timeout=15)
    assert lifted["previous_grade"] == "B"
