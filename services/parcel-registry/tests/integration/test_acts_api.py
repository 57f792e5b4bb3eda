"""Split (分宗), merge (合宗), end of right (收回) and change of use as acts: through the HTTP API on a
real PostgreSQL and Kafka. Ended parcels are kept and answered; the new ones name where they came
from; every parcel touched has a history entry saying who, when, why and by which document."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from landgrade.testing import Infra, read_events, token
from landgrade_events.registry import PARCELS

pytestmark = pytest.mark.infra

CLERK = token("parcels:write", subject="clerk-li")
READ = token("registry:read")
EN = {"Accept-Language": "en"}
DOC = "京(2026)开发区不动产权第0000042号"


def parcel(holder: str, area: str = "30000", **changes: Any) -> dict[str, Any]:
    return {"name": "Optics plant", "street": "荣华街道", "area_m2": area, "category": "approved_park",
            "rights_holder": holder} | changes


def new_id() -> str:
    return f"YZ-{uuid.uuid4().hex[:8]}"


async def registered(client: httpx.AsyncClient, holder: str, area: str = "30000", **changes: Any) -> str:
    pid = new_id()
    answer = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, area, **changes), headers=CLERK)
    assert answer.status_code == 201, answer.text
    return pid


def split_of(*areas: str) -> dict[str, Any]:
    return {"children": [{"parcel_id": new_id(), "name": f"piece {i}", "area_m2": a} for i, a in enumerate(areas, 1)],
            "effective_on": "2026-03-01", "document_ref": DOC, "reason": "分宗：开发区管委会批复 2026-12 号"}


async def history(client: httpx.AsyncClient, pid: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/parcels/{pid}/history", headers=READ)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_a_split_whose_areas_do_not_sum_is_refused_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    pid = await registered(client, new_uscc())
    body = split_of("10000", "19999.99")
    refused = await client.post(f"/v1/parcels/{pid}/splits", json=body, headers=CLERK | EN)
    assert refused.status_code == 409  # the parcel's area on file is what they fail to sum to
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        ("children[].area_m2", "the areas sum to 29999.99 m², not the parcel's 30000 m²")]
    in_chinese = await client.post(f"/v1/parcels/{pid}/splits", json=body, headers=CLERK)
    assert in_chinese.json()["errors"][0]["message"].startswith("各宗面积合计 29999.99 平方米")
    view = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
    assert (view["status"], view["successors"], view["version"]) == ("in_force", [], 1)
    for child in body["children"]:
        assert (await client.get(f"/v1/parcels/{child['parcel_id']}", headers=READ)).status_code == 404
    assert [e["kind"] for e in await history(client, pid)] == ["registered"]


async def test_a_split_ends_the_parent_and_makes_children_that_know_it_once(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra
) -> None:
    holder = new_uscc()
    pid = await registered(client, holder)
    body = split_of("12000.5", "17999.5")
    first, second = (c["parcel_id"] for c in body["children"])
    no_reason = {k: v for k, v in body.items() if k != "reason"}
    assert (await client.post(f"/v1/parcels/{pid}/splits", json=no_reason, headers=CLERK)).status_code == 422
    split = await client.post(f"/v1/parcels/{pid}/splits", json=body, headers=CLERK)
    assert split.status_code == 201, split.text
    assert [c["parcel_id"] for c in split.json()["children"]] == [first, second]

    parent = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()  # kept, and answered with its end
    assert (parent["status"], parent["ended_on"], parent["ended_by"], parent["successors"], parent["area_m2"]) == (
        "ended", "2026-03-01", "split", [first, second], "30000")
    assert parent["end_document_ref"] == DOC
    for child, area in ((first, "12000.5"), (second, "17999.5")):
        view = (await client.get(f"/v1/parcels/{child}", headers=READ)).json()
        assert (view["predecessors"], view["area_m2"], view["rights_holder"], view["category"], view["street"]) == (
            [pid], area, holder, "approved_park", "荣华街道")
        assert (view["status"], view["version"]) == ("in_force", 1)
        [entry] = await history(client, child)
        assert (entry["kind"], entry["actor"], entry["reason"], entry["reference"], entry["effective_on"]) == (
            "split", "clerk-li", body["reason"], DOC, "2026-03-01")
        assert entry["changes"]["predecessors"] == {"from": None, "to": [pid]}
    latest, _ = await history(client, pid)
    assert (latest["kind"], latest["actor"], latest["reason"], latest["reference"], latest["effective_on"]) == (
        "split", "clerk-li", body["reason"], DOC, "2026-03-01")
    assert latest["changes"]["successors"] == {"from": None, "to": [first, second]}

    again = await client.post(f"/v1/parcels/{pid}/splits", json=body, headers=CLERK)
    assert (again.status_code, again.json()["change"]) == (200, "unchanged")
    assert len(await history(client, pid)) == 2
    other = split_of("15000", "15000")
    ended = await client.post(f"/v1/parcels/{pid}/splits", json=other, headers=CLERK | EN)
    assert ended.status_code == 409
    assert ended.json()["errors"][0]["message"] == (
        f"parcel {pid} ended on 2026-03-01 (split into {first}, {second}): an ended parcel takes no further act")
    changed = await client.put(f"/v1/parcels/{pid}", json=parcel(holder, name="renamed"), headers=CLERK)
    assert changed.status_code == 409  # an ended parcel is not revived by a PUT either
    lease = {"tenant_uscc": new_uscc(), "area_m2": "100", "start": "2026-04-01"}
    assert (await client.put(f"/v1/parcels/{pid}/leases/L-1", json=lease, headers=CLERK)).status_code == 409
    sheet = (f"parcel_id,name,street,area_m2,category,rights_holder\n"
             f"{pid},renamed,荣华街道,30000,approved_park,{holder}\n")
    imported = await client.post("/v1/parcels/import", content=sheet.encode(), headers=CLERK | EN | {
        "content-type": "text/csv"})
    assert imported.status_code == 422  # nothing of the sheet is written
    assert [(e["field"], e["message"].split(":")[0]) for e in imported.json()["errors"]] == [
        ("parcel_id", f"parcel {pid} ended on 2026-03-01 (split into {first}, {second})")]
    same = (f"parcel_id,name,street,area_m2,category,rights_holder\n"
            f"{pid},Optics plant,荣华街道,30000,approved_park,{holder}\n")
    unchanged = await client.post("/v1/parcels/import", content=same.encode(), headers=CLERK | {
        "content-type": "text/csv"})
    assert (unchanged.status_code, unchanged.json()["unchanged"]) == (200, 1), unchanged.text

    events = await read_events(infra.bootstrap, PARCELS, lambda e: e.subject in (pid, first, second)
                               and e.type.endswith("parcel_changed.v1"), count=4)
    latest_event = {e.subject: e.data for e in events}
    assert (latest_event[pid]["ended_on"], latest_event[pid]["ended_by"], latest_event[pid]["successors"]) == (
        "2026-03-01", "split", [first, second])
    assert latest_event[first]["predecessors"] == [pid] and latest_event[first]["ended_on"] is None


async def test_a_split_into_an_id_the_ledger_holds_is_a_conflict(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder = new_uscc()
    pid, taken = await registered(client, holder), await registered(client, holder, "5000")
    body = split_of("10000", "20000")
    body["children"][1]["parcel_id"] = taken
    refused = await client.post(f"/v1/parcels/{pid}/splits", json=body, headers=CLERK | EN)
    assert refused.status_code == 409
    assert [e["field"] for e in refused.json()["errors"]] == ["children[1].parcel_id"]
    assert (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()["status"] == "in_force"


async def test_a_merge_makes_one_parcel_of_the_sum_and_ends_the_merged_ones(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    holder = new_uscc()
    a, b = await registered(client, holder, "1000.25"), await registered(client, holder, "2000")
    stranger = await registered(client, new_uscc(), "500")
    merged_id = new_id()
    body = {"parcel_ids": [a, b], "new_parcel": {"parcel_id": merged_id, "name": "merged plant"},
            "effective_on": "2026-04-01", "document_ref": DOC, "reason": "合宗：同一权利人相邻地块"}
    refused = await client.post("/v1/parcel-merges", json=body | {"parcel_ids": [a, stranger]}, headers=CLERK | EN)
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "parcel_ids"
    made = await client.post("/v1/parcel-merges", json=body, headers=CLERK)
    assert made.status_code == 201, made.text
    view = (await client.get(f"/v1/parcels/{merged_id}", headers=READ)).json()
    assert (view["area_m2"], view["predecessors"], view["rights_holder"]) == ("3000.25", [a, b], holder)
    for old in (a, b):
        ended = (await client.get(f"/v1/parcels/{old}", headers=READ)).json()
        assert (ended["status"], ended["ended_by"], ended["successors"]) == ("ended", "merge", [merged_id])
        assert (await history(client, old))[0]["reference"] == DOC
    assert (await history(client, merged_id))[0]["kind"] == "merge"
    again = await client.post("/v1/parcel-merges", json=body, headers=CLERK)
    assert (again.status_code, again.json()["change"]) == (200, "unchanged")


async def test_an_end_of_right_ends_the_parcel_once(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    pid = await registered(client, new_uscc())
    body = {"effective_on": "2026-05-01", "document_ref": "京开收字(2026)第3号", "reason": "闲置两年，依法收回"}
    ahead = await client.post(f"/v1/parcels/{pid}/end-of-right", json=body | {"effective_on": "2099-01-01"},
                              headers=CLERK)
    assert (ahead.status_code, [e["field"] for e in ahead.json()["errors"]]) == (422, ["effective_on"])
    ended = await client.post(f"/v1/parcels/{pid}/end-of-right", json=body, headers=CLERK)
    assert ended.status_code == 201, ended.text
    assert (ended.json()["status"], ended.json()["ended_on"], ended.json()["successors"]) == (
        "ended", "2026-05-01", [])
    again = await client.post(f"/v1/parcels/{pid}/end-of-right", json=body, headers=CLERK)
    assert (again.status_code, again.json()["change"]) == (200, "unchanged")
    later = await client.post(f"/v1/parcels/{pid}/end-of-right", json=body | {"effective_on": "2026-05-02"},
                              headers=CLERK | EN)
    assert later.status_code == 409
    assert "right ended" in later.json()["errors"][0]["message"]
    [entry, _] = await history(client, pid)
    assert (entry["kind"], entry["reason"], entry["reference"]) == ("end_of_right", body["reason"], body["document_ref"])


async def test_a_change_of_use_needs_a_reason_and_dates_the_new_category(
    client: httpx.AsyncClient, new_uscc: Callable[[], str]
) -> None:
    pid = await registered(client, new_uscc())
    body = {"category": "renewal_park", "effective_on": "2026-02-01", "document_ref": "出让合同补充协议 2026-7",
            "reason": "城市更新：转为更新园区"}
    no_reason = {k: v for k, v in body.items() if k != "reason"}
    refused = await client.post(f"/v1/parcels/{pid}/use-changes", json=no_reason, headers=CLERK | EN)
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["reason"]
    changed = await client.post(f"/v1/parcels/{pid}/use-changes", json=body, headers=CLERK)
    assert (changed.status_code, changed.json()["category"]) == (201, "renewal_park")
    again = await client.post(f"/v1/parcels/{pid}/use-changes", json=body, headers=CLERK)
    assert (again.status_code, again.json()["change"]) == (200, "unchanged")
    [entry, _] = await history(client, pid)
    assert (entry["kind"], entry["effective_on"], entry["reference"]) == (
        "use_change", "2026-02-01", body["document_ref"])
    assert entry["changes"] == {"category": {"from": "approved_park", "to": "renewal_park"}}


async def test_acts_need_land_staffs_write_scope(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    pid = await registered(client, new_uscc())
    body = {"effective_on": "2026-05-01", "document_ref": "x", "reason": "y"}
    assert (await client.post(f"/v1/parcels/{pid}/end-of-right", json=body, headers=READ)).status_code == 403
