"""A parcel's current grade is served from memory between changes, and a change is seen at once:
the database's change notice (sent when the re-grade commits) drops the remembered answer."""

from __future__ import annotations

import uuid

from landgrade.testing import eventually

YEAR = 2025


async def test_a_remembered_grade_gives_way_to_the_regrade(service) -> None:
    parcel, holder = f"P-{uuid.uuid4().hex[:10]}", service.uscc()
    cache = service.ctx.grade_reads
    await eventually(lambda: cache.live or None)
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, YEAR, "241000000", "25000000")
    first = await service.grade_becomes(parcel, "B", YEAR)

    hits = cache.hits
    assert await service.grade(parcel, YEAR) == first
    assert await service.grade(parcel, YEAR) == first
    assert cache.hits >= hits + 1  # answered from memory

    await service.filing(parcel, holder, YEAR, "320000000", "26000000")
    lifted = await service.grade_becomes(parcel, "A", YEAR, timeout=15)
    assert lifted["previous_grade"] == "B"
    assert (await service.grade(parcel))["grade"] == "A"  # the latest-year answer moved too
