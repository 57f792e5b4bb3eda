"""A transfer (转让) through real Kafka and PostgreSQL: the registry's dated holder periods give each
graded year its own holder, so the year before the transfer stays with the old holder (its grade
and the grade events the credit ledger writes records and benefits from) and the year of the
transfer goes to the holder the ruleset names (`year_holder`, the holder on the year's last day)."""

from __future__ import annotations

import uuid
from datetime import datetime

from landgrade.testing import eventually, read_events

CLOCK_AT = datetime(2026, 6, 15, 10, 0)  # Beijing: 2026 is the current year here
GRADES = "landgrade.evaluation.grades.v1"
FIRST = 90  # s: a fresh consumer group's first event waits for the group to form (long on a busy machine)
RICH = ("900000000", "90000000")


async def test_a_transfer_leaves_the_year_before_with_the_old_holder_and_moves_the_year_of_it(service) -> None:  # type: ignore[no-untyped-def]
    parcel, old, new = f"T-{uuid.uuid4().hex[:10]}", service.uscc(), service.uscc()
    await service.parcel(parcel, old)
    await service.filing(parcel, old, 2025, *RICH)
    await service.grade_becomes(parcel, "A", 2025, timeout=FIRST, output=RICH[0] + ".00")
    await service.filing(parcel, old, 2026, *RICH)
    await service.grade_becomes(parcel, "A", 2026, output=RICH[0] + ".00")

    await service.parcel(parcel, new, version=2, holders=[
        {"uscc": old, "valid_to": "2026-03-01"},
        {"uscc": new, "valid_from": "2026-03-01", "document_ref": "京(2026)开发区不动产权第0000042号"}])

    async def held_by_new() -> dict | None:
        found = await service.grade(parcel, 2026)
        return found if found and found["holder_uscc"] == new else None

    moved = await eventually(held_by_new, timeout=30)
    assert moved["grade"] == "A"
    [event] = await read_events(service.bootstrap, GRADES, lambda e: e.subject == parcel and e.data["year"] == 2026
                                and e.data["holder_uscc"] == new)
    assert event.data["grade"] == "A"  # the credit ledger learns 2026's grade is the new holder's

    # The parcel's event was handled (2026 moved); 2025 was re-graded with it and kept its holder.
    before = await service.grade(parcel, 2025)
    assert (before["grade"], before["holder_uscc"]) == ("A", old)
    olds = await read_events(service.bootstrap, GRADES, lambda e: e.subject == parcel and e.data["year"] == 2025,
                             count=2, timeout=3)
    assert [e.data["holder_uscc"] for e in olds] == [old]  # no grade event moved 2025 to the new holder
