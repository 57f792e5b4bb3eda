"""Lineage from the registry (分宗, 合宗, 收回) through real Kafka and PostgreSQL: a child's grade
history reads across the split into its parent's grades, a child is graded for no year before the
split, and an ended parcel for no year after the one it ended in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text

from landgrade.testing import eventually, token

CLOCK_AT = datetime(2026, 6, 15, 10, 0)  # Beijing: 2026 is the current year here
READ, RUNS = token("grades:read"), token("runs:write")
FIRST = 90  # s: a fresh consumer group's first event waits for the group to form (long on a busy machine)
RICH, POOR = ("900000000", "90000000"), ("1", "0")


def pid() -> str:
    return f"L-{uuid.uuid4().hex[:10]}"


async def run_to_draft(service: Any, year: int) -> None:
    started = await service.client.post("/v1/evaluation-runs", json={"year": year}, headers=RUNS)
    assert started.status_code == 202, started.text

    async def drafted() -> dict[str, Any] | None:
        run: dict[str, Any] = (await service.client.get(f"/v1/evaluation-runs/{started.json()['id']}",
                                                        headers=READ)).json()
        return run if run["state"] in ("draft", "failed") else None

    assert (await eventually(drafted, timeout=60))["state"] == "draft"


async def grades(service: Any, parcel_id: str, year: int | None = None) -> dict[str, Any]:
    params = {"year": year} if year else {}
    answer = await service.client.get(f"/v1/parcels/{parcel_id}/grades", params=params, headers=READ)
    assert answer.status_code in (200, 404), answer.text
    return answer.json() if answer.status_code == 200 else {"items": []}


async def test_a_childs_grade_history_reads_across_the_split(service) -> None:  # type: ignore[no-untyped-def]
    parent, first, second, holder = pid(), pid(), pid(), service.uscc()
    await service.parcel(parent, holder, area="30000")
    await service.filing(parent, holder, 2025, *RICH)
    await service.grade_becomes(parent, "A", 2025, timeout=FIRST)
    await service.parcel(parent, holder, area="30000", version=2, ended_on="2026-03-01", ended_by="split",
                         successors=[first, second])
    for child, area in ((first, "10000"), (second, "20000")):  # as the registry sends them: held from the split
        await service.parcel(child, holder, area=area, predecessors=[parent],
                             holders=[{"uscc": holder, "valid_from": "2026-03-01", "document_ref": "doc"}])
    await service.filing(first, holder, 2026, *RICH)
    await service.grade_becomes(first, "A", 2026)

    history = await grades(service, first)
    assert history["predecessors"] == [parent]
    read = [(g["graded_as"], g["year"], g["grade"]) for g in history["items"]]  # newest evaluation first
    assert read[0] == (first, 2026, "A") and (parent, 2025, "A") in read
    assert {graded_as for graded_as, _, _ in read} == {first, parent}
    assert all(g["graded_as"] == g["parcel_id"] for g in history["items"])
    assert (parent, 2025, "A") in [(g["graded_as"], g["year"], g["grade"])
                                   for g in (await grades(service, second))["items"]]
    assert {g["graded_as"] for g in (await grades(service, parent))["items"]} == {parent}  # not downwards

    # The year before the split is the parent's alone: a run of 2025 grades no child.
    await run_to_draft(service, 2025)
    assert (await service.grade(parent, 2025))["grade"] == "A"
    assert await service.grade(first, 2025) is None and await service.grade(second, 2025) is None


async def _ended_on(service: Any, parcel: str) -> Any:
    async with service.ctx.uow() as uow:
        return await uow.session.scalar(text("SELECT ended_on FROM parcels WHERE parcel_id = :p"), {"p": parcel})


async def test_an_ended_parcel_is_not_graded_for_a_year_after_it_ended(service) -> None:  # type: ignore[no-untyped-def]
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    await service.filing(parcel, holder, 2025, *RICH)
    await service.grade_becomes(parcel, "A", 2025, timeout=FIRST)
    before = [(g["year"], g["grade"]) for g in (await grades(service, parcel, 2026))["items"]]
    assert all(grade != "A" for _, grade in before)
    # 收回 with effect from 2026-01-01: the parcel's last day was 2025-12-31.
    await service.parcel(parcel, holder, version=2, ended_on="2026-01-01", ended_by="end_of_right")
    # Filings travel on a topic of their own: the 2026 one is sent once the end is known.
    await eventually(lambda: _ended_on(service, parcel), timeout=30)
    await service.filing(parcel, holder, 2026, *RICH)
    await service.filing(parcel, holder, 2025, *POOR)  # same key, so handled after the 2026 filing

    async def regraded() -> dict[str, Any] | None:
        found = await service.grade(parcel, 2025)
        return found if found and found["grade"] != "A" else None

    await eventually(regraded, timeout=30)  # 2025 is still graded: the parcel existed all that year
    # Whatever 2026 had before the end was known (no output yet) stays; the rich 2026 filing that
    # came after the end graded nothing.
    assert [(g["year"], g["grade"]) for g in (await grades(service, parcel, 2026))["items"]] == before
