"""Relations are dated: penetration for a graded year walks the responsible persons and equity links
valid in that year (real Kafka and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from landgrade.testing import read_events, token
from landgrade_events.credit import RECORDS

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra
ADMIN = token("admin", subject="admin-1")
LEFT = date(2025, 6, 30)  # the day the person left the holder and the shareholder sold its stake


async def test_a_person_removed_as_of_mid_2025_is_reached_for_2025_and_not_for_2026(world: World) -> None:
    holder, stays, leaves, elsewhere, investor = uscc(), ref("psn"), ref("psn"), uscc(), uscc()
    await world.enterprise(elsewhere, "亦庄物流有限公司", [(leaves, "李四")])
    await world.enterprise(investor, "亦庄投资有限公司")
    await world.enterprise(holder, "亦庄精密制造有限公司", [(stays, "张三"), (leaves, "李四")], shareholders=[investor])
    # The business registry reports, dated, that 李四 left and the investor sold its stake.
    await world.enterprise(holder, "亦庄精密制造有限公司", [(stays, "张三")], effective_on=LEFT)

    reached = {}
    for year in (2025, 2026):
        parcel = ref("P")
        await world.graded_and_applied(world.graded(parcel, holder, "A", year=year))
        events = await read_events(world.bootstrap, RECORDS, lambda e, p=parcel: e.data["parcel_id"] == p,
                                   count=5, timeout=5)
        reached[year] = {e.data["subject_ref"] for e in events}

    assert reached[2025] == {holder, stays, leaves, elsewhere, investor}  # related on days of 2025
    assert reached[2026] == {holder, stays}  # neither 李四, nor his other enterprise, nor the investor

    def relations(file: dict) -> tuple[set[str], set[str]]:
        return ({p["person_ref"] for p in file["responsible_persons"]},
                {link["shareholder_uscc"] for link in file["equity_links"]})

    now = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=ADMIN)).json()
    assert relations(now) == ({stays}, set())
    before = await world.client.get(f"/v1/subjects/{holder}/credit", params={"as_of": "2025-06-29"}, headers=ADMIN)
    assert relations(before.json()) == ({stays, leaves}, {investor})
    on_the_day = await world.client.get(f"/v1/subjects/{holder}/credit", params={"as_of": "2025-06-30"},
                                        headers=ADMIN)
    assert relations(on_the_day.json()) == ({stays}, set())  # related up to the day of the change


async def test_relations_counted_on_the_last_day_leave_out_those_gone_by_the_years_end(
        make_settings, infra) -> None:  # type: ignore[no-untyped-def]
    from .conftest import running_world

    async with running_world(make_settings, infra, penetration_relations="last_day") as world:
        holder, stays, leaves = uscc(), ref("psn"), ref("psn")
        await world.enterprise(holder, "亦庄精密制造有限公司", [(stays, "张三"), (leaves, "李四")])
        await world.enterprise(holder, "亦庄精密制造有限公司", [(stays, "张三")], effective_on=LEFT)
        parcel = ref("P")
        await world.graded_and_applied(world.graded(parcel, holder, "A", year=2025))
        events = await read_events(world.bootstrap, RECORDS, lambda e: e.data["parcel_id"] == parcel,
                                   count=3, timeout=5)
        assert {e.data["subject_ref"] for e in events} == {holder, stays}
