"""A token bound to an enterprise (`uscc` claim) acts for that enterprise alone; a token without
the claim keeps the scope rules of each route."""

from __future__ import annotations

import pytest

from landgrade.testing import DEV_JWT_SECRET, token
from servicekit.auth import mint_token
from servicekit.problems import MEDIA_TYPE

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra
SCOPES = ["credit:read", "credit:repair", "benefits:read"]
PLATFORM = token(*SCOPES, subject="credit-platform")  # no uscc claim


def bound(uscc_: str, scopes: list[str] = SCOPES) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(DEV_JWT_SECRET, 'enterprise-clerk', scopes, uscc=uscc_)}"}


async def _negative_record(world: World, holder: str) -> str:
    await world.enterprise(holder, f"亦庄绑定{holder[-4:]}有限公司")
    await world.graded_and_applied(world.graded(ref("P"), holder, "D"))
    file = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=PLATFORM)).json()
    return str(next(r["record_id"] for r in file["records"] if r["polarity"] == "negative"))


def assert_refused(answer: object) -> None:
    assert getattr(answer, "status_code", None) == 403
    assert answer.headers["content-type"] == MEDIA_TYPE  # type: ignore[attr-defined]
    title = answer.json()["title"]  # type: ignore[attr-defined]
    assert "\u4e00" <= title[0] <= "\u9fff", title  # Chinese first


async def test_an_enterprise_token_reads_and_applies_for_its_own_enterprise_only(world: World) -> None:
    mine, theirs = uscc(), uscc()
    my_record, their_record = await _negative_record(world, mine), await _negative_record(world, theirs)
    me = bound(mine.lower())  # the claim is normalised like every other USCC

    assert (await world.client.get(f"/v1/benefits/{mine}", headers=me)).json()["restricted"] is True
    assert (await world.client.get(f"/v1/subjects/{mine}/credit", headers=me)).status_code == 200
    assert_refused(await world.client.get(f"/v1/benefits/{theirs}", headers=me))
    assert_refused(await world.client.get(f"/v1/subjects/{theirs}/credit", headers=me))
    assert_refused(await world.client.get("/v1/benefits", params={"list": "restricted"}, headers=me))

    mine_applied = await world.client.post("/v1/repairs", headers=me, json={
        "subject_ref": mine, "record_id": my_record, "evidence": ["a.pdf"]})
    assert mine_applied.status_code == 201
    assert_refused(await world.client.post("/v1/repairs", headers=me, json={
        "subject_ref": theirs, "record_id": their_record, "evidence": ["a.pdf"]}))
    assert await world.scalar("SELECT count(*) FROM repairs WHERE subject_ref = :s", s=theirs) == 0

    theirs_applied = await world.client.post("/v1/repairs", headers=PLATFORM, json={
        "subject_ref": theirs, "record_id": their_record, "evidence": ["a.pdf"]})
    assert theirs_applied.status_code == 201
    own = await world.client.get(f"/v1/repairs/{mine_applied.json()['repair_id']}", headers=me)
    assert own.status_code == 200 and own.json()["subject_ref"] == mine
    assert_refused(await world.client.get(f"/v1/repairs/{theirs_applied.json()['repair_id']}", headers=me))

    # without the claim, today's scope rules: any enterprise
    for subject in (mine, theirs):
        assert (await world.client.get(f"/v1/benefits/{subject}", headers=PLATFORM)).status_code == 200
        assert (await world.client.get(f"/v1/subjects/{subject}/credit", headers=PLATFORM)).status_code == 200
    assert (await world.client.get(f"/v1/repairs/{theirs_applied.json()['repair_id']}",
                                   headers=PLATFORM)).status_code == 200
    assert (await world.client.get("/v1/benefits", params={"list": "restricted"}, headers=PLATFORM)).status_code == 200


async def test_a_token_bound_to_a_malformed_uscc_acts_for_nobody(world: World) -> None:
    holder = uscc()
    await _negative_record(world, holder)
    wrong = holder[:17] + ("1" if holder[17] != "1" else "2")
    assert_refused(await world.client.get(f"/v1/benefits/{holder}", headers=bound(wrong)))
    assert_refused(await world.client.get(f"/v1/subjects/{holder}/credit", headers=bound(wrong)))
