"""Credit files (masked, audit-logged) and the public list (final A grades only, nothing personal)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from credit_ledger.domain.disclosure import Downgraded, PublicListPolicy
from credit_ledger.domain.grades import Grade
from landgrade.testing import token

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra
READER, ADMIN = token("credit:read", subject="credit-platform"), token("admin", subject="admin-1")


async def test_the_public_list_holds_final_a_holders_only_and_nothing_personal(world: World) -> None:
    year = 2031
    final_a, provisional_a, downgraded = uscc(), uscc(), uscc()
    person = ref("psn")
    await world.enterprise(final_a, "亦庄优质用地有限公司", [(person, "张三丰")])
    await world.enterprise(provisional_a, "亦庄待定有限公司")
    await world.enterprise(downgraded, "亦庄降级有限公司")
    p1, p2, p3 = ref("P"), ref("P"), ref("P")
    await world.graded_and_applied(world.graded(p1, final_a, "A", year=year))
    await world.graded_and_applied(world.graded(p2, provisional_a, "A", status="provisional", year=year))
    await world.graded_and_applied(world.graded(p3, downgraded, "A", year=year))
    await world.graded_and_applied(world.graded(p3, downgraded, "D", year=year))  # later final: re-graded

    response = await world.client.get("/v1/public/quality-holders", params={"year": year, "limit": 1000})
    assert response.status_code == 200
    body = response.json()
    mine = [i for i in body["items"] if i["uscc"] in (final_a, provisional_a, downgraded)]
    assert mine == [{"enterprise_name": "亦庄优质用地有限公司", "uscc": final_a, "parcel_id": p1, "year": year,
                     "under_review": False}]
    assert "张三丰" not in response.text and person not in response.text


async def _listed(world: World, year: int, holder: str) -> list[dict[str, object]]:
    response = await world.client.get("/v1/public/quality-holders", params={"year": year, "limit": 1000})
    assert response.status_code == 200
    return [i for i in response.json()["items"] if i["uscc"] == holder]


async def test_a_final_a_provisionally_downgraded_to_d_leaves_the_public_list_with_its_benefits(
        world: World) -> None:
    year, holder, parcel = 2032, uscc(), ref("P")
    await world.enterprise(holder, "亦庄违规用地有限公司")
    await world.graded_and_applied(world.graded(parcel, holder, "A", year=year))
    assert [i["parcel_id"] for i in await _listed(world, year, holder)] == [parcel]
    assert (await world.client.get(f"/v1/benefits/{holder}", headers=READER)).json()["green_channel"]

    # A violation found: the next year's provisional grade is D. Benefits and the list go together.
    await world.graded_and_applied(world.graded(parcel, holder, "D", status="provisional", year=year + 1))
    benefits = (await world.client.get(f"/v1/benefits/{holder}", headers=READER)).json()
    assert not benefits["green_channel"] and not benefits["key_service_list"]
    assert "incentive_priority" not in {e["benefit"] for e in benefits["entitlements"]}
    assert await _listed(world, year, holder) == []

    # The grade returns (the violation rectified): so does the holder.
    await world.graded_and_applied(world.graded(parcel, holder, "B", status="provisional", year=year + 1))
    assert [i["parcel_id"] for i in await _listed(world, year, holder)] == [parcel]


async def test_under_review_setting_keeps_a_downgraded_holder_listed_and_marked(world: World) -> None:
    world.app.state.context = replace(world.context, public_list=PublicListPolicy(
        Grade.C, Downgraded.UNDER_REVIEW))
    year, holder, parcel = 2033, uscc(), ref("P")
    await world.enterprise(holder, "亦庄整改用地有限公司")
    await world.graded_and_applied(world.graded(parcel, holder, "A", year=year))
    await world.graded_and_applied(world.graded(parcel, holder, "C", status="provisional", year=year))
    [item] = await _listed(world, year, holder)
    assert item["under_review"] is True


async def test_a_credit_file_masks_personal_data_except_for_admin_and_every_read_is_logged(world: World) -> None:
    holder, person = uscc(), ref("psn")
    await world.enterprise(holder, "亦庄审计有限公司", [(person, "赵六")])
    await world.graded_and_applied(world.graded(ref("P"), holder, "B"))

    masked = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()
    assert masked["masked"] and masked["responsible_persons"] == [
        {"person_ref": person, "name": "赵*", "role": "legal_representative"}]
    assert "赵六" not in str(masked)
    full = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=ADMIN)).json()
    assert full["responsible_persons"][0]["name"] == "赵六" and not full["masked"]

    # a responsible person's own file is for admin only
    assert (await world.client.get(f"/v1/subjects/{person}/credit", headers=READER)).status_code == 403
    person_file = (await world.client.get(f"/v1/subjects/{person}/credit", headers=ADMIN)).json()
    assert person_file["subject"]["kind"] == "person" and person_file["records"][0]["relation"] == "responsible_person"

    log = (await world.client.get("/v1/audit/credit-reads", params={"subject": holder}, headers=ADMIN)).json()
    assert [(r["reader"], r["unmasked"]) for r in log] == [("admin-1", True), ("credit-platform", False)]
    assert (await world.client.get("/v1/audit/credit-reads", headers=READER)).status_code == 403
    assert (await world.client.get(f"/v1/subjects/{holder}/credit")).status_code == 401


async def test_an_unknown_subject_is_404_and_the_attempt_is_still_logged(world: World) -> None:
    stranger = uscc()
    assert (await world.client.get(f"/v1/subjects/{stranger}/credit", headers=READER)).status_code == 404
    assert await world.scalar("SELECT count(*) FROM credit_reads WHERE subject_ref = :s", s=stranger) == 1


async def test_green_channel_list_pages_through_holders(world: World) -> None:
    holders = sorted(uscc() for _ in range(3))
    for holder in holders:
        await world.enterprise(holder, f"亦庄分页{holder[-4:]}有限公司")
        await world.graded_and_applied(world.graded(ref("P"), holder, "B"))
    seen: list[str] = []
    after = None
    while True:
        params = {"list": "green_channel", "limit": 2} | ({"after": after} if after else {})
        page = (await world.client.get("/v1/benefits", params=params, headers=token("benefits:read"))).json()
        seen += [i["uscc"] for i in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert [h for h in seen if h in holders] == holders and seen == sorted(seen)
    bad = await world.client.get("/v1/benefits", params={"list": "free_lunch"}, headers=READER)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "list"


async def test_walking_the_public_list_by_next_gives_every_holder_once_in_order(world: World) -> None:
    year = 2041
    holders = sorted(uscc() for _ in range(5))
    for holder in holders:
        await world.graded_and_applied(world.graded(ref("P"), holder, "A", year=year))
    whole = (await world.client.get("/v1/public/quality-holders", params={"year": year, "limit": 1000})).json()
    assert whole["next"] is None and whole["total"] == 5

    walked: list[tuple[str, str]] = []
    params: dict[str, object] = {"year": year, "limit": 2}
    while True:
        page = (await world.client.get("/v1/public/quality-holders", params=params)).json()
        assert page["total"] >= 5
        walked += [(i["uscc"], i["parcel_id"]) for i in page["items"]]
        if len(walked) == 2:
            # Listed meanwhile, before the cursor: an offset would repeat a holder; the cursor does not.
            early = next(u for u in iter(uscc, None) if u < walked[-1][0])
            await world.graded_and_applied(world.graded(ref("P"), early, "A", year=year))
        if page["next"] is None:
            break
        params["after"] = page["next"]
    assert walked == [(i["uscc"], i["parcel_id"]) for i in whole["items"]]

    # The former style still answers the same pages, and says it is deprecated.
    by_offset = (await world.client.get("/v1/public/quality-holders",
                                        params={"year": year, "limit": 2, "offset": 3})).json()
    now = (await world.client.get("/v1/public/quality-holders", params={"year": year, "limit": 1000})).json()
    assert now["total"] == 6 and by_offset["items"] == now["items"][3:5] and by_offset["next"] is not None
    operation = (await world.client.get("/openapi.json")).json()["paths"]["/v1/public/quality-holders"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["offset"]["deprecated"] is True and "pattern" in parameters["after"]["schema"]["anyOf"][0]
    assert parameters["limit"]["schema"]["maximum"] == 1000
    malformed = await world.client.get("/v1/public/quality-holders", params={"after": "not a cursor"})
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "after"
