"""Credit repair: an approved repair supersedes the negative records without deleting them."""

from __future__ import annotations

import pytest

from landgrade.testing import read_events, token
from landgrade_events.credit import RECORDS

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra
READER, ADMIN, APPLICANT = token("credit:read"), token("admin", subject="reviewer"), token("credit:repair")


async def _d_holder(world: World) -> tuple[str, str, str, str]:
    holder, partner, person, parcel = uscc(), uscc(), ref("psn"), ref("P")
    await world.enterprise(holder, "亦庄修复有限公司", [(person, "钱七")])
    await world.enterprise(partner, "亦庄关联有限公司", [(person, "钱七")])
    await world.graded_and_applied(world.graded(parcel, holder, "D"))
    return holder, partner, person, parcel


async def test_a_repair_supersedes_without_deleting(world: World) -> None:
    holder, partner, _person, _parcel = await _d_holder(world)
    file = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()
    [negative] = [r for r in file["records"] if r["polarity"] == "negative"]
    count_before = await world.scalar("SELECT count(*) FROM credit_records")

    applied = await world.client.post("/v1/repairs", headers=APPLICANT | {"Idempotency-Key": ref("k")}, json={
        "subject_ref": holder, "record_id": negative["record_id"], "evidence": ["withdrawal-notice.pdf"],
        "statement": "the lawsuit was withdrawn"})
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    repair_id = applied.json()["repair_id"]
    approved = await world.client.post(f"/v1/repairs/{repair_id}/approve", headers=ADMIN, json={"note": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    appended = approved.json()["appended_record_ids"]
    assert len(appended) == 3  # holder, its person and the partner: the grade's penetrated records too

    assert await world.scalar("SELECT count(*) FROM credit_records") >= count_before + 3
    assert await world.scalar("SELECT 1 FROM credit_records WHERE record_id = :r", r=negative["record_id"])
    for subject in (holder, partner):
        shown = (await world.client.get(f"/v1/subjects/{subject}/credit", headers=READER)).json()["records"]
        assert not [r for r in shown if r["polarity"] == "negative"], subject
    admin_view = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=ADMIN)).json()["records"]
    old = next(r for r in admin_view if r["record_id"] == negative["record_id"])
    assert not old["disclosed"] and old["superseded_by"] in appended
    events = await read_events(world.bootstrap, RECORDS, lambda e: e.data["record_id"] in appended, count=3)
    assert len(events) == 3
    assert (await world.client.get("/v1/ledger/verify", headers=READER)).json()["ok"]

    again = await world.client.post(f"/v1/repairs/{repair_id}/approve", headers=ADMIN, json={})
    assert again.status_code == 409


async def test_applications_that_cannot_succeed_are_refused_with_the_field(world: World) -> None:
    holder, partner, _person, _parcel = await _d_holder(world)
    file = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()
    record_id = file["records"][0]["record_id"]
    body = {"subject_ref": partner, "record_id": record_id, "evidence": ["x.pdf"]}
    refused = await world.client.post("/v1/repairs", headers=APPLICANT, json=body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "subject_ref"
    no_evidence = await world.client.post("/v1/repairs", headers=APPLICANT, json=body | {"evidence": []})
    assert no_evidence.status_code == 422 and no_evidence.json()["errors"][0]["field"] == "evidence"
    assert (await world.client.post("/v1/repairs", headers=READER, json=body)).status_code == 403


async def test_the_same_idempotency_key_creates_one_application(world: World) -> None:
    holder, *_ = await _d_holder(world)
    record_id = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()["records"][0][
        "record_id"]
    headers = APPLICANT | {"Idempotency-Key": ref("key")}
    body = {"subject_ref": holder, "record_id": record_id, "evidence": ["a.pdf"]}
    first = await world.client.post("/v1/repairs", headers=headers, json=body)
    second = await world.client.post("/v1/repairs", headers=headers, json=body)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert await world.scalar("SELECT count(*) FROM repairs WHERE subject_ref = :s", s=holder) == 1
    other = await world.client.post("/v1/repairs", headers=headers, json=body | {"statement": "changed"})
    assert other.status_code == 409


async def test_a_rejected_repair_changes_no_record(world: World) -> None:
    holder, *_ = await _d_holder(world)
    record_id = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()["records"][0][
        "record_id"]
    repair = (await world.client.post("/v1/repairs", headers=APPLICANT, json={
        "subject_ref": holder, "record_id": record_id, "evidence": ["a.pdf"]})).json()
    rejected = await world.client.post(f"/v1/repairs/{repair['repair_id']}/reject", headers=ADMIN,
                                       json={"note": "evidence does not show the lawsuit ended"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["appended_record_ids"] == []
    shown = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()["records"]
    assert [r["polarity"] for r in shown] == ["negative"]
