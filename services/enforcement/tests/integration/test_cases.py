"""Cases from grade events and through the API, with real Kafka and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from enforcement.domain.local_time import local_date
from landgrade.testing import eventually, read_events, token
from landgrade_events.evaluation import ParcelGraded

pytestmark = pytest.mark.infra

STAFF = token("cases:write", "cases:read", subject="officer-zhao")
CASES = "landgrade.enforcement.cases.v1"


async def _open_cases(enforcement, parcel: str) -> list[dict]:
    page = await enforcement.client.get("/v1/cases", params={"parcel_id": parcel}, headers=STAFF)
    return [c for c in page.json()["items"] if c["state"] != "closed"]


async def _one_open_case(enforcement, parcel: str, kind: str) -> dict:
    async def found() -> list[dict]:
        return [c for c in await _open_cases(enforcement, parcel) if c["kind"] == kind]

    [case] = await eventually(found)
    return case


async def _move(enforcement, case_id: str, to: str, **extra: object):
    return await enforcement.client.post(f"/v1/cases/{case_id}/transitions",
                                         json={"to": to, "reason": f"now {to}", **extra}, headers=STAFF)


async def test_a_d_grade_delivered_twice_opens_one_case(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    first = await enforcement.grade(parcel, "D")
    await enforcement.publish(first.unwrap(ParcelGraded), event_id=first.id)  # a redelivery of that event
    await enforcement.grade(parcel, "D")  # the same grade again, as a new event (a re-run)
    case = await _one_open_case(enforcement, parcel, "enforcement")
    await eventually(lambda: enforcement.sql("SELECT 1 FROM parcel_grades WHERE parcel_id = :p", p=parcel))
    await enforcement.grade(parcel, "D")
    opened = await read_events(enforcement.bootstrap, CASES,
                               lambda e: e.subject == parcel and e.data["state"] == "opened", count=2, timeout=8)
    assert len(opened) == 1 and opened[0].data["case_id"] == case["case_id"]
    assert len(await _open_cases(enforcement, parcel)) == 1
    assert case["street"] == "荣华街道" and case["due_date"] == str(local_date(enforcement.clock()) + timedelta(10))


async def test_a_full_enforcement_lifecycle_ends_in_re_evaluation_then_closes(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(parcel, "D")
    case = await _one_open_case(enforcement, parcel, "enforcement")
    case_id = case["case_id"]
    for state in ("inspecting", "plan_issued", "rectifying"):
        response = await _move(enforcement, case_id, state)
        assert response.status_code == 200, response.text
    comply_by = str(local_date(enforcement.clock()) + timedelta(days=45))
    response = await _move(enforcement, case_id, "rectified", due_date=comply_by)
    assert response.status_code == 200 and response.json()["due_date"] == comply_by

    [rectified] = await read_events(enforcement.bootstrap, CASES,
                                    lambda e: e.data.get("case_id") == case_id and e.data["state"] == "rectified")
    assert rectified.type == "landgrade.enforcement.case_changed.v1"  # evaluation re-grades on this
    assert (rectified.data["previous_state"], rectified.data["actor"]) == ("rectifying", "officer-zhao")
    assert rectified.data["reason"] == "now rectified" and rectified.data["due_date"] == comply_by

    await enforcement.grade(parcel, "B")  # the re-evaluation
    async def closed() -> dict | None:
        detail = (await enforcement.client.get(f"/v1/cases/{case_id}", headers=STAFF)).json()
        return detail if detail["state"] == "closed" else None

    detail = await eventually(closed)
    assert [e["to_state"] for e in detail["timeline"]] == [
        "opened", "inspecting", "plan_issued", "rectifying", "rectified", "closed"]
    assert detail["timeline"][-1]["reason"] == "parcel re-graded B, no longer D"
    assert all(e["actor"] and e["at"] for e in detail["timeline"])


async def test_illegal_transitions_are_refused(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(parcel, "C")
    case = await _one_open_case(enforcement, parcel, "renewal_guidance")
    assert case["allowed_transitions"] == ["briefed"]

    skip = await _move(enforcement, case["case_id"], "matching")
    assert skip.status_code == 409 and skip.json()["from_state"] == "opened"
    wrong_machine = await _move(enforcement, case["case_id"], "rectified")
    assert wrong_machine.status_code == 409
    no_such_state = await _move(enforcement, case["case_id"], "demolished")
    assert no_such_state.status_code == 422
    no_reason = await enforcement.client.post(f"/v1/cases/{case['case_id']}/transitions",
                                              json={"to": "briefed", "reason": " "}, headers=STAFF)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    past = await _move(enforcement, case["case_id"], "briefed", due_date=str(date(2020, 1, 1)))
    assert past.status_code == 422
    read_only = await enforcement.client.post(f"/v1/cases/{case['case_id']}/transitions",
                                              json={"to": "briefed", "reason": "x"}, headers=token("cases:read"))
    assert read_only.status_code == 403

    assert (await _move(enforcement, case["case_id"], "briefed")).status_code == 200
    retry = await _move(enforcement, case["case_id"], "briefed")
    assert retry.status_code == 200 and len(retry.json()["timeline"]) == 2  # a retried move is a no-op
    stale = await _move(enforcement, case["case_id"], "matching", expected_state="opened")
    assert stale.status_code == 409


async def test_overdue_cases_are_flagged_once_and_filterable(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(parcel, "D")
    case = await _one_open_case(enforcement, parcel, "enforcement")
    overdue_page = {"overdue": "true", "parcel_id": parcel}
    assert (await enforcement.client.get("/v1/cases", params=overdue_page, headers=STAFF)).json()["total"] == 0

    enforcement.clock.advance(days=11)  # past the 10-day comply-by date of an opened case
    [notice] = await read_events(enforcement.bootstrap, CASES,
                                 lambda e: e.data.get("case_id") == case["case_id"] and "detected_at" in e.data)
    assert notice.type == "landgrade.enforcement.case_overdue.v1"
    assert (notice.data["state"], notice.data["due_date"]) == ("opened", case["due_date"])
    listed = (await enforcement.client.get("/v1/cases", params=overdue_page, headers=STAFF)).json()
    assert [c["case_id"] for c in listed["items"]] == [case["case_id"]] and listed["items"][0]["overdue"]

    notices = await read_events(enforcement.bootstrap, CASES,
                                lambda e: e.data.get("case_id") == case["case_id"] and "detected_at" in e.data,
                                count=2, timeout=3)
    assert len(notices) == 1  # the check runs every 0.2 s but notifies once per missed date
    detail = (await enforcement.client.get(f"/v1/cases/{case['case_id']}", headers=STAFF)).json()
    assert detail["timeline"][-1]["action"] == "overdue"


async def test_case_lists_filter_by_kind_and_street_and_respect_jurisdiction(enforcement) -> None:
    ronghua, boxing = f"P-{uuid.uuid4().hex[:10]}", f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(ronghua, "D", street="荣华街道")
    await enforcement.grade(boxing, "C", street="博兴街道")
    await _one_open_case(enforcement, ronghua, "enforcement")
    boxing_case = await _one_open_case(enforcement, boxing, "renewal_guidance")

    by_street = (await enforcement.client.get("/v1/cases", params={"street": "Boxing", "limit": 500},
                                              headers=STAFF)).json()
    assert boxing_case["case_id"] in [c["case_id"] for c in by_street["items"]]
    assert all(c["street"] == "博兴街道" for c in by_street["items"])
    guidance = (await enforcement.client.get("/v1/cases", params={"kind": "renewal_guidance", "limit": 1},
                                             headers=STAFF)).json()
    assert len(guidance["items"]) == 1 and guidance["limit"] == 1 and guidance["total"] >= 1
    assert all(c["kind"] == "renewal_guidance" for c in guidance["items"])

    office = token("cases:read", jurisdiction="荣华街道")
    seen = (await enforcement.client.get("/v1/cases", params={"limit": 500}, headers=office)).json()["items"]
    assert seen and all(c["street"] == "荣华街道" for c in seen)
    assert (await enforcement.client.get(f"/v1/cases/{boxing_case['case_id']}", headers=office)).status_code == 403


async def test_moving_from_d_to_c_swaps_the_case_kind(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(parcel, "D")
    enforcement_case = await _one_open_case(enforcement, parcel, "enforcement")
    await enforcement.grade(parcel, "C")
    await _one_open_case(enforcement, parcel, "renewal_guidance")
    closed = (await enforcement.client.get(f"/v1/cases/{enforcement_case['case_id']}", headers=STAFF)).json()
    assert closed["state"] == "closed" and closed["timeline"][-1]["reason"] == "parcel re-graded C, no longer D"


async def test_a_d_re_evaluation_after_rectification_sends_the_case_back_to_inspection(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(parcel, "D")
    case_id = (await _one_open_case(enforcement, parcel, "enforcement"))["case_id"]
    for state in ("inspecting", "plan_issued", "rectifying", "rectified"):
        assert (await _move(enforcement, case_id, state)).status_code == 200
    await enforcement.grade(parcel, "D")  # re-evaluated after the rectification: still a violation

    async def reopened() -> dict | None:
        detail = (await enforcement.client.get(f"/v1/cases/{case_id}", headers=STAFF)).json()
        return detail if detail["state"] == "inspecting" else None

    detail = await eventually(reopened)
    assert detail["timeline"][-1]["actor"] == "system:evaluation"
    assert detail["timeline"][-1]["reason"].startswith("re-evaluation after rectification")
    assert len(await _open_cases(enforcement, parcel)) == 1


async def test_a_lone_surrogate_in_a_transition_reason_is_a_422_naming_the_field_not_a_500(enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    await enforcement.grade(parcel, "C")
    case = await _one_open_case(enforcement, parcel, "renewal_guidance")
    response = await enforcement.client.post(
        f"/v1/cases/{case['case_id']}/transitions", content=b'{"to": "briefed", "reason": "agreed \\ud800"}',
        headers=STAFF | {"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    detail = (await enforcement.client.get(f"/v1/cases/{case['case_id']}", headers=STAFF)).json()
    assert detail["state"] == "opened" and len(detail["timeline"]) == 1


async def test_walking_the_cases_by_next_gives_each_once_in_order_while_cases_open(enforcement) -> None:
    mine = [f"P-{uuid.uuid4().hex[:10]}" for _ in range(5)]
    for parcel in mine:
        await enforcement.grade(parcel, "D")
    for parcel in mine:
        await _one_open_case(enforcement, parcel, "enforcement")
    whole = (await enforcement.client.get("/v1/cases", params={"limit": 500}, headers=STAFF)).json()
    assert whole["total"] >= 5 and whole["next"] is None
    before = [c["case_id"] for c in whole["items"]]

    walked: list[str] = []
    params: dict[str, object] = {"limit": 2}
    while True:
        page = (await enforcement.client.get("/v1/cases", params=params, headers=STAFF)).json()
        assert page["total"] >= whole["total"] and len(page["items"]) <= 2
        walked += [c["case_id"] for c in page["items"]]
        if len(walked) == 2:
            # Opened meanwhile, newest so first in the order: an offset would repeat a case.
            parcel = f"P-{uuid.uuid4().hex[:10]}"
            await enforcement.grade(parcel, "D")
            await _one_open_case(enforcement, parcel, "enforcement")
        if page["next"] is None:
            break
        params["after"] = page["next"]
    assert len(walked) == len(set(walked)) and [c for c in walked if c in before] == before

    for _ in range(5):  # the deprecated offset still pages (compared with one read of the whole list)
        now = (await enforcement.client.get("/v1/cases", params={"limit": 500}, headers=STAFF)).json()
        by_offset = (await enforcement.client.get("/v1/cases", params={"limit": 2, "offset": 2},
                                                  headers=STAFF)).json()
        if by_offset["total"] == now["total"]:
            break
    assert by_offset["items"] == now["items"][2:4] and by_offset["next"] is not None
    operation = (await enforcement.client.get("/openapi.json")).json()["paths"]["/v1/cases"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["offset"]["deprecated"] is True and parameters["limit"]["schema"]["maximum"] == 500
    malformed = await enforcement.client.get("/v1/cases", params={"after": "2024-01-01"}, headers=STAFF)
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "after"


async def test_a_path_id_the_document_rules_out_is_a_422_naming_it(enforcement) -> None:
    answer = await enforcement.client.get("/v1/cases/not%20a%20case", headers=STAFF)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "case_id"
    unknown = await enforcement.client.get(f"/v1/cases/{uuid.uuid4()}", headers=STAFF)
    assert unknown.status_code == 404
