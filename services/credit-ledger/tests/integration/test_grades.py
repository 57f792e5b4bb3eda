"""Grade events become credit records (with penetration) and benefits, exactly once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from landgrade.testing import eventually, read_events, token
from landgrade_events.credit import BENEFITS, RECORDS

from .conftest import World, ref, running_world, uscc

pytestmark = pytest.mark.infra
READER = token("credit:read")


async def _family(world: World) -> tuple[str, str, str, str, str]:
    """A holder whose responsible person also runs two other enterprises."""
    holder, y, z, person = uscc(), uscc(), uscc(), ref("psn")
    await world.enterprise(holder, "亦庄精密制造有限公司", [(person, "王小明")])
    await world.enterprise(y, "亦庄物流有限公司", [(person, "王小明")])
    await world.enterprise(z, "亦庄科技有限公司", [(person, "王小明")])
    return holder, y, z, person, ref("P")


async def test_an_a_grade_yields_records_for_all_four_subjects_with_their_paths(world: World) -> None:
    holder, y, z, person, parcel = await _family(world)
    await world.graded_and_applied(world.graded(parcel, holder, "A"))

    events = await read_events(world.bootstrap, RECORDS, lambda e: e.data["parcel_id"] == parcel, count=4)
    assert {e.data["subject_ref"] for e in events} == {holder, y, z, person}
    by_subject = {e.data["subject_ref"]: e.data for e in events}
    assert by_subject[person]["subject_kind"] == "person" and by_subject[person]["relation"] == "responsible_person"
    assert by_subject[y]["path"] == [f"parcel {parcel}", f"rights holder 亦庄精密制造有限公司 ({holder})",
                                     f"responsible person {person}", f"enterprise 亦庄物流有限公司 ({y})"]
    assert "王小明" not in str(events)  # a person is an opaque token in every event

    file = (await world.client.get(f"/v1/subjects/{z}/credit", headers=READER)).json()
    [record] = file["records"]
    assert record["relation"] == "person_affiliate" and record["grade"] == "A"
    assert record["path_sentence"].endswith(f"responsible person {person} → enterprise 亦庄科技有限公司 ({z})")
    assert [step["kind"] for step in record["path"]] == ["parcel", "enterprise", "person", "enterprise"]


async def test_a_downgrade_from_a_to_d_revokes_every_related_partys_green_channel(world: World) -> None:
    holder, y, z, _person, parcel = await _family(world)
    await world.graded_and_applied(world.graded(parcel, holder, "A"))
    for company in (holder, y, z):
        benefits = (await world.client.get(f"/v1/benefits/{company}", headers=READER)).json()
        assert benefits["green_channel"] and benefits["key_service_list"], company

    await world.graded_and_applied(world.graded(parcel, holder, "D", status="provisional"))
    revoked = await read_events(world.bootstrap, BENEFITS, lambda e: e.data["parcel_id"] == parcel
                                and e.data["action"] == "revoked" and e.data["benefit"] == "green_channel",
                                count=3)
    assert {e.data["uscc"] for e in revoked} == {holder, y, z}
    assert all(e.data["grade"] == "D" for e in revoked)
    for company in (holder, y, z):
        benefits = (await world.client.get(f"/v1/benefits/{company}", headers=READER)).json()
        assert not benefits["green_channel"], company
        assert benefits["history"][0]["action"] == "revoked"

    await world.graded_and_applied(world.graded(parcel, holder, "D"))
    restricted = (await world.client.get("/v1/benefits", params={"list": "restricted"}, headers=READER)).json()
    assert {holder, y, z} <= {item["uscc"] for item in restricted["items"]}


async def test_duplicate_grade_events_change_nothing(world: World) -> None:
    holder, y, z, person, parcel = await _family(world)
    event = world.graded(parcel, holder, "A")
    envelope = await world.publish(event)
    await eventually(lambda: world.scalar("SELECT 1 FROM grades WHERE evaluation_id = :e", e=event.evaluation_id))
    before = [await world.records_of(s) for s in (holder, y, z, person)]
    history = await world.scalar("SELECT count(*) FROM benefit_history WHERE uscc = :u", u=holder)

    await world.publish(event, event_id=envelope.id)  # redelivery of the same event
    await world.publish(event)  # the same grading re-sent under a new event id
    # Same key, so same partition, sent last: once it is applied the duplicates were consumed. A
    # provisional grade equal to the final one writes no record and changes no benefit.
    await world.graded_and_applied(world.graded(parcel, holder, "A", status="provisional"))

    assert [await world.records_of(s) for s in (holder, y, z, person)] == before == [1, 1, 1, 1]
    assert await world.scalar("SELECT count(*) FROM benefit_history WHERE uscc = :u", u=holder) == history
    verify = (await world.client.get("/v1/ledger/verify", headers=READER)).json()
    assert verify["ok"], verify


async def test_a_case_step_is_recorded_for_the_parcels_holder(world: World) -> None:
    holder, parcel = uscc(), ref("P")
    await world.enterprise(holder, "亦庄包装有限公司")
    await world.graded_and_applied(world.graded(parcel, holder, "D"))
    await world.publish(world.case(parcel, None, "rectified"))  # no holder in the event: taken from the grade
    await eventually(lambda: world.scalar(
        "SELECT 1 FROM credit_records WHERE subject_ref = :u AND kind = 'case'", u=holder))
    file = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()
    case = next(r for r in file["records"] if r["kind"] == "case")
    assert case["polarity"] == "positive" and "rectified" in case["reason"]


async def test_a_stake_below_the_minimum_share_makes_no_related_party(make_settings: Any, infra: Any) -> None:
    async with running_world(make_settings, infra, equity_link_min_share_pct=Decimal("25")) as world:
        holder, major, minor, parcel = uscc(), uscc(), uscc(), ref("P")
        await world.enterprise(major, "亦庄控股有限公司")
        await world.enterprise(minor, "亦庄小股东有限公司")
        await world.enterprise(holder, "亦庄参股制造有限公司",
                               stakes={major: Decimal("60"), minor: Decimal("10")})
        await world.graded_and_applied(world.graded(parcel, holder, "A"))

        benefits = (await world.client.get(f"/v1/benefits/{major}", headers=READER)).json()
        assert benefits["green_channel"]
        [tie] = benefits["ties"]
        assert tie["relation"] == "equity_linked" and tie["path"].endswith(
            f"equity-linked enterprise 亦庄控股有限公司 ({major}) [60% equity; links count from 25%]")
        assert not (await world.client.get(f"/v1/benefits/{minor}", headers=READER)).json()["green_channel"]
        assert await world.records_of(minor) == 0 and await world.records_of(major) == 1


async def test_a_grading_sent_on_both_lanes_applies_once_and_in_order_with_the_live_one_after_it(
        world: World) -> None:
    """Evaluation re-sends a year's bulk event on the live lane ahead of a live grading of the same
    parcel: the ledger applies the pair in order while the bulk lane lags, and the original, when
    the bulk lane reaches it, changes nothing."""
    holder, parcel = uscc(), ref("P")
    await world.enterprise(holder, "亦庄精密制造有限公司")
    yearly, live = world.graded(parcel, holder, "D"), world.graded(parcel, holder, "A")
    resent = await world.publish(yearly)  # the bulk event, re-sent on the live lane
    await world.graded_and_applied(live)
    await world.publish_envelope(resent, yearly, bulk=True)  # the bulk lane catches up: same id
    # Behind it on the bulk lane (same key, so same partition): once this applies, so has the original.
    await world.publish(world.graded(parcel, holder, "B", year=2023), bulk=True)
    await eventually(lambda: world.scalar(
        "SELECT 1 FROM credit_records WHERE subject_ref = :h AND grade = 'B'", h=holder))
    rows = await world.scalar(
        "SELECT string_agg(grade, '' ORDER BY sequence) FROM credit_records WHERE subject_ref = :h", h=holder)
    assert rows == "DAB"  # the year's grading, then the live one, each once; then the bulk lane's next
