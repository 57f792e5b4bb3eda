"""Inspections through the API with real Kafka and PostgreSQL: jurisdiction, idempotent re-sends,
published findings, and suspected occupants turned into the right street office's tasks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from landgrade.testing import eventually, read_events, token
from landgrade_events.enforcement import FINDINGS, FindingRecorded
from landgrade_events.registry import LeaseChanged, ParcelChanged, SuspectedOccupant
from landgrade_reference.uscc import uscc_check_character as check_character

pytestmark = pytest.mark.infra

RONGHUA = token("findings:write", jurisdiction="荣华街道", subject="ronghua-app")
BOXING = token("findings:write", jurisdiction="博兴街道", subject="boxing-app")


def uscc() -> str:
    body = "91110302" + uuid.uuid4().hex[:9].upper()
    return body + check_character(body)


def inspection(parcel_id: str, **overrides: object) -> dict:
    body = {
        "inspection_id": f"insp-{uuid.uuid4().hex[:12]}", "parcel_id": parcel_id,
        "inspected_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(), "inspector": "Wang Li",
        "findings": [{"type": "unauthorised_lease", "tenant_uscc": uscc(), "holder_attitude": "refuses_to_correct",
                      "note": "workshop let to a logistics firm"}],
    }
    return body | overrides


async def test_a_street_office_posts_only_for_parcels_in_its_own_street(enforcement) -> None:
    parcel = await enforcement.parcel(street="荣华街道")
    c = enforcement.client

    refused = await c.post("/v1/inspections", json=inspection(parcel), headers=BOXING)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    unbound = await c.post("/v1/inspections", json=inspection(parcel), headers=token("findings:write"))
    assert unbound.status_code == 403

    body = inspection(parcel)
    accepted = await c.post("/v1/inspections", json=body, headers=token("findings:write", jurisdiction="Ronghua"))
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["street"] == "荣华街道"
    assert (await c.get(f"/v1/inspections/{body['inspection_id']}", headers=BOXING)).status_code == 403
    assert (await c.get(f"/v1/inspections/{body['inspection_id']}", headers=RONGHUA)).status_code == 200


async def test_a_resent_inspection_is_a_no_op_and_a_changed_one_is_refused(enforcement) -> None:
    parcel = await enforcement.parcel()
    body = inspection(parcel)
    first = await enforcement.client.post("/v1/inspections", json=body, headers=RONGHUA)
    again = await enforcement.client.post("/v1/inspections", json=body, headers=RONGHUA)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["findings"] == first.json()["findings"]

    changed = body | {"findings": [{"type": "abandoned"}]}
    conflict = await enforcement.client.post("/v1/inspections", json=changed, headers=RONGHUA)
    assert conflict.status_code == 409

    recorded = await read_events(enforcement.bootstrap, FINDINGS,
                                 lambda e: e.data["inspection_id"] == body["inspection_id"], count=2, timeout=8)
    assert len(recorded) == 1  # one finding, published once despite the re-send
    finding = recorded[0].unwrap(FindingRecorded)
    assert (finding.finding_id, finding.parcel_id, finding.street) == (f"{body['inspection_id']}#1", parcel, "荣华街道")
    assert (finding.type, finding.holder_attitude) == ("unauthorised_lease", "refuses_to_correct")


async def test_bad_inspections_are_refused_field_by_field(enforcement) -> None:
    parcel = await enforcement.parcel()
    lease_without_tenant = inspection(parcel, findings=[{"type": "unauthorised_lease"}])
    response = await enforcement.client.post("/v1/inspections", json=lease_without_tenant, headers=RONGHUA)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["findings[0].tenant_uscc"]

    bad_type = inspection(parcel, findings=[{"type": "graffiti"}])
    response = await enforcement.client.post("/v1/inspections", json=bad_type, headers=RONGHUA)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "findings.0.type"
    assert (await enforcement.sql("SELECT 1 FROM inspections WHERE parcel_id = :p", p=parcel)) == []


async def test_an_inspection_posted_before_its_parcel_arrives_is_kept_and_recorded_when_it_does(
        enforcement) -> None:
    parcel = f"P-{uuid.uuid4().hex[:10]}"  # registered in the land ledger; its event not here yet
    body = inspection(parcel)
    c = enforcement.client
    accepted = await c.post("/v1/inspections", json=body, headers=RONGHUA)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "pending" and accepted.json()["street"] is None
    assert accepted.headers["location"] == f"/v1/inspections/{body['inspection_id']}"
    assert (await c.post("/v1/inspections", json=body, headers=RONGHUA)).status_code == 202  # a re-send: no-op
    early = await c.post(f"/v1/inspections/{body['inspection_id']}/evidence", headers=RONGHUA,
                         files={"file": ("site.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert early.status_code == 503 and int(early.headers["retry-after"]) > 0
    assert (await c.get(f"/v1/inspections/{body['inspection_id']}", headers=BOXING)).status_code == 404

    await enforcement.publish(ParcelChanged(parcel_id=parcel, name="新登记厂房", street="荣华街道",
                                            category="self_use", area_m2=Decimal("8000"), holder_uscc=uscc()))

    async def recorded() -> dict | None:
        found = (await c.get(f"/v1/inspections/{body['inspection_id']}", headers=RONGHUA)).json()
        return found if found["status"] == "recorded" else None

    found = await eventually(recorded)
    assert found["street"] == "荣华街道" and found["submitted_by"] == "ronghua-app"
    assert (await c.post("/v1/inspections", json=body, headers=RONGHUA)).status_code == 200  # recorded now
    [event] = await read_events(enforcement.bootstrap, FINDINGS,
                                lambda e: e.data["inspection_id"] == body["inspection_id"], count=1)
    assert event.data["parcel_id"] == parcel and event.data["street"] == "荣华街道"
    assert (await enforcement.sql("SELECT 1 FROM pending_inspections WHERE parcel_id = :p", p=parcel)) == []


async def test_a_suspected_occupant_becomes_a_task_for_that_street_office_only(enforcement) -> None:
    parcel = await enforcement.parcel(street="荣华街道")
    occupant = uscc()
    report = SuspectedOccupant(parcel_id=parcel, street="荣华街道", uscc=occupant, filing_id=f"F-{uuid.uuid4()}",
                               year=2024, reason="files revenue on the parcel without an approved lease")
    await enforcement.publish(report)
    await enforcement.publish(report.model_copy(update={"filing_id": f"F-{uuid.uuid4()}"}))

    async def ronghua_tasks() -> list[dict]:
        listed = (await enforcement.client.get("/v1/inspection-tasks", headers=RONGHUA)).json()["items"]
        return [t for t in listed if t["parcel_id"] == parcel and t["reports"] == 2]

    [task] = await eventually(ronghua_tasks)
    assert task["suspected_uscc"] == occupant and task["status"] == "open"
    # What the inspector needs to go there, in Chinese by default.
    assert (task["street_name"], task["parcel_name"]) == ("荣华街道", "Test works")
    assert task["holder_uscc"] and task["holder_uscc"] in task["why"]
    assert occupant in task["why"] and "未经批准的出租" in task["why"]
    english = (await enforcement.client.get("/v1/inspection-tasks", headers=RONGHUA | {"Accept-Language": "en"}))
    [in_english] = [t for t in english.json()["items"] if t["task_id"] == task["task_id"]]
    assert in_english["street_name"] == "Ronghua Street" and "unauthorised lease" in in_english["why"]
    boxing = (await enforcement.client.get("/v1/inspection-tasks", headers=BOXING)).json()["items"]
    assert all(t["parcel_id"] != parcel for t in boxing)
    peek = await enforcement.client.get("/v1/inspection-tasks", params={"street": "荣华街道"}, headers=BOXING)
    assert peek.status_code == 403
    staff = await enforcement.client.get("/v1/inspection-tasks", params={"street": "ronghua"},
                                         headers=token("cases:read"))
    assert any(t["task_id"] == task["task_id"] for t in staff.json()["items"])

    visit = inspection(parcel, findings=[{"type": "unauthorised_lease", "tenant_uscc": occupant}])
    assert (await enforcement.client.post("/v1/inspections", json=visit, headers=RONGHUA)).status_code == 201
    done = (await enforcement.client.get("/v1/inspection-tasks", params={"status": "done"}, headers=RONGHUA)).json()
    assert any(t["task_id"] == task["task_id"] and t["done_by_inspection_id"] == visit["inspection_id"]
               for t in done["items"])


def _with_lone_surrogate(body: dict) -> bytes:
    """The body as JSON text with every "@@" spelled as the escape of a lone surrogate."""
    return json.dumps(body).replace("@@", "\\ud800").encode()


async def test_a_lone_surrogate_in_any_text_is_a_422_naming_the_field_not_a_500(enforcement) -> None:
    parcel = await enforcement.parcel()
    lease = {"type": "unauthorised_lease", "tenant_uscc": uscc(), "holder_attitude": "refuses_to_correct"}
    for overrides, field in [({"inspector": "Wang @@"}, "inspector"), ({"parcel_id": "@@"}, "parcel_id"),
                             ({"inspection_id": "insp-@@"}, "inspection_id"),
                             ({"findings": [lease | {"note": "let @@"}]}, "findings.0.note"),
                             ({"findings": [lease | {"tenant_uscc": "9111@@"}]}, "findings.0.tenant_uscc")]:
        body = inspection(parcel) | overrides
        response = await enforcement.client.post("/v1/inspections", content=_with_lone_surrogate(body),
                                                 headers=RONGHUA | {"Content-Type": "application/json",
                                                                    "Accept-Language": "en"})
        assert response.status_code == 422, (field, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert "unpaired surrogate" in response.json()["errors"][0]["message"]
    assert (await enforcement.sql("SELECT 1 FROM inspections WHERE parcel_id = :p", p=parcel)) == []


async def test_a_tenant_uscc_is_normalised_in_any_spelling_and_refused_when_malformed(enforcement) -> None:
    parcel = await enforcement.parcel()
    tenant = uscc()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in tenant)
    for spelling in (tenant.lower(), " ".join(tenant[i:i + 4] for i in range(0, 18, 4)), full_width):
        body = inspection(parcel, findings=[{"type": "unauthorised_lease", "tenant_uscc": spelling}])
        response = await enforcement.client.post("/v1/inspections", json=body, headers=RONGHUA)
        assert response.status_code == 201, (spelling, response.text)
        assert response.json()["findings"][0]["tenant_uscc"] == tenant
        stored = await enforcement.sql("SELECT tenant_uscc FROM findings WHERE inspection_id = :i",
                                       i=body["inspection_id"])
        assert [row.tenant_uscc for row in stored] == [tenant]

    wrong_check = tenant[:17] + next(c for c in "0123456789" if c != tenant[17])
    for bad in (wrong_check, wrong_check.lower(), tenant[:17], tenant.replace(tenant[2], "O", 1)):
        body = inspection(parcel, findings=[{"type": "unauthorised_lease", "tenant_uscc": bad}])
        response = await enforcement.client.post("/v1/inspections", json=body, headers=RONGHUA)
        assert response.status_code == 422, (bad, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["findings.0.tenant_uscc"]
        assert (await enforcement.sql("SELECT 1 FROM inspections WHERE inspection_id = :i",
                                      i=body["inspection_id"])) == []


async def test_walking_the_tasks_by_next_gives_each_once_in_order_while_tasks_arrive(enforcement) -> None:
    parcel = await enforcement.parcel(street="荣华街道")

    async def report() -> str:
        occupant = uscc()
        await enforcement.publish(SuspectedOccupant(
            parcel_id=parcel, street="荣华街道", uscc=occupant, filing_id=f"F-{uuid.uuid4()}", year=2024,
            reason="files revenue on the parcel without an approved lease"))
        return occupant

    async def listed(occupant: str) -> None:
        await eventually(lambda: enforcement.sql("SELECT 1 FROM inspection_tasks WHERE suspected_uscc = :u",
                                                 u=occupant))

    mine = [await report() for _ in range(5)]
    for occupant in mine:
        await listed(occupant)
    whole = (await enforcement.client.get("/v1/inspection-tasks", params={"limit": 500}, headers=RONGHUA)).json()
    assert whole["total"] >= 5 and whole["next"] is None
    before = [t["task_id"] for t in whole["items"]]

    walked: list[tuple[str, str]] = []
    params: dict[str, object] = {"limit": 2}
    late = ""
    while True:
        page = (await enforcement.client.get("/v1/inspection-tasks", params=params, headers=RONGHUA)).json()
        walked += [(t["task_id"], t["suspected_uscc"]) for t in page["items"]]
        if len(walked) == 2:
            late = await report()  # newest, so last in the order: read on a later page, once
            await listed(late)
        if page["next"] is None:
            break
        params["after"] = page["next"]
    ids = [task for task, _ in walked]
    assert len(ids) == len(set(ids)) and [t for t in ids if t in before] == before
    assert [occupant for _, occupant in walked].count(late) == 1


async def test_a_pending_inspection_expires_after_the_waiting_days_and_a_re_send_waits_anew(enforcement) -> None:
    never = f"P-{uuid.uuid4().hex[:10]}"  # a mistyped parcel id: its event never comes
    body = inspection(never)
    c = enforcement.client
    assert (await c.post("/v1/inspections", json=body, headers=RONGHUA)).status_code == 202
    enforcement.clock.advance(days=enforcement.settings.pending_inspection_days + 1)

    async def expired() -> dict | None:
        found = (await c.get(f"/v1/inspections/{body['inspection_id']}", headers=RONGHUA)).json()
        return found if found["status"] == "expired" else None

    found = await eventually(expired)
    assert "7 天" in found["refusal"] and "within 7 days" in found["refusal"]

    # The app sends it again (here with the parcel id corrected): a new pending inspection ...
    parcel = f"P-{uuid.uuid4().hex[:10]}"
    again = await c.post("/v1/inspections", json=body | {"parcel_id": parcel}, headers=RONGHUA)
    assert again.status_code == 202 and again.json()["status"] == "pending" and again.json()["refusal"] is None
    assert again.json()["parcel_id"] == parcel
    # ... recorded when its parcel arrives.
    await enforcement.publish(ParcelChanged(parcel_id=parcel, name="新登记厂房", street="荣华街道",
                                            category="self_use", area_m2=Decimal("8000"), holder_uscc=uscc()))

    async def recorded() -> dict | None:
        found = (await c.get(f"/v1/inspections/{body['inspection_id']}", headers=RONGHUA)).json()
        return found if found["status"] == "recorded" else None

    assert (await eventually(recorded))["parcel_id"] == parcel


async def test_an_unapproved_lease_becomes_a_task_whose_brief_names_the_lease(enforcement) -> None:
    parcel = await enforcement.parcel(street="荣华街道")
    tenant, lease_id = uscc(), f"L-{uuid.uuid4().hex[:8]}"
    await enforcement.publish(SuspectedOccupant(parcel_id=parcel, street="荣华街道", uscc=tenant, lease_id=lease_id,
                                                year=2025, reason=f"未经批准的租赁登记：租赁 {lease_id}"))

    async def ronghua_tasks() -> list[dict]:
        listed = (await enforcement.client.get("/v1/inspection-tasks", headers=RONGHUA)).json()["items"]
        return [t for t in listed if t["parcel_id"] == parcel]

    [task] = await eventually(ronghua_tasks)
    assert (task["lease_id"], task["filing_id"], task["suspected_uscc"]) == (lease_id, "", tenant)
    assert task["why"].startswith("未经批准的租赁登记") and lease_id in task["why"] and "税务申报" not in task["why"]

    # The lease approved: the task is withdrawn, says by which approval, and the office is told.
    await enforcement.publish(LeaseChanged(parcel_id=parcel, lease_id=lease_id, tenant_uscc=tenant,
                                           area_m2=Decimal(500), start=date(2025, 1, 1), approved=True,
                                           approval_ref="京开管批〔2025〕12号", approval_date=date(2025, 4, 1),
                                           equity_linked=False))

    async def withdrawn() -> dict | None:
        listed = (await enforcement.client.get("/v1/inspection-tasks", params={"status": "withdrawn"},
                                               headers=RONGHUA)).json()["items"]
        return next((t for t in listed if t["task_id"] == task["task_id"]), None)

    gone = await eventually(withdrawn)
    assert (gone["status"], gone["approval_lease_id"], gone["approval_ref"], gone["approval_date"]) == (
        "withdrawn", lease_id, "京开管批〔2025〕12号", "2025-04-01")
    assert gone["why"].startswith("已撤回") and gone["done_at"] is not None
    assert await ronghua_tasks() == []
    told = (await enforcement.client.get("/v1/notices", headers=RONGHUA)).json()["items"]
    assert [n["kind"] for n in told if n["task_id"] == task["task_id"]] == ["task_withdrawn", "inspection_task"]
