"""Who may do what, and what the service refuses to read as a clear answer: enterprise tokens act
for their own parcels only, deciding and running have their own scopes, lookups that find no grade
fail closed, and malformed ids, filters and text are 422 naming the field."""

from __future__ import annotations

import json
import uuid
from typing import Any

from landgrade.testing import eventually, token
from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET

YEAR = 2033  # this file's own year: nothing else grades or runs it
PROBLEMS = "https://landgrade.example/problems/"
READ, ADMIN = token("grades:read"), token("admin")
RUNS, DECIDE, PORTAL = token("runs:write"), token("objections:decide"), token("objections:write")


def enterprise(uscc: str, *scopes: str) -> dict[str, str]:
    """The enterprise portal's token for one enterprise (reading too, as the portal shows grades)."""
    value = mint_token(DEV_JWT_SECRET, f"portal:{uscc}", list(scopes or ("objections:write", "grades:read")),
                       uscc=uscc)
    return {"Authorization": f"Bearer {value}"}


def refused(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEMS + kind, body
    return body


def field_of(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


async def _published_year(service: Any) -> tuple[str, str, str, str, str]:
    """Two graded parcels of two enterprises, in a run of YEAR published for objection (the run
    started and published with `runs:write` alone)."""
    ours, theirs = f"OWN-{uuid.uuid4().hex[:8]}", f"OTH-{uuid.uuid4().hex[:8]}"
    a, b = service.uscc(), service.uscc()
    for parcel, holder in ((ours, a), (theirs, b)):
        await service.parcel(parcel, holder)
        await service.filing(parcel, holder, YEAR, "241000000", "25000000")
    for parcel in (ours, theirs):
        await service.grade_becomes(parcel, "B", YEAR)
    assert (await service.client.post("/v1/evaluation-runs", json={"year": YEAR}, headers=DECIDE)).status_code == 403
    started = await service.client.post("/v1/evaluation-runs", json={"year": YEAR}, headers=RUNS)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]

    async def drafted() -> dict[str, Any] | None:
        run: dict[str, Any] = (await service.client.get(f"/v1/evaluation-runs/{run_id}", headers=READ)).json()
        return run if run["state"] == "draft" else None

    await eventually(drafted, timeout=60)
    published = await service.client.post(f"/v1/evaluation-runs/{run_id}/publish", json={}, headers=RUNS)
    assert published.status_code == 200 and published.json()["state"] == "published", published.text
    return ours, theirs, a, b, run_id


async def test_an_enterprise_token_objects_and_reads_for_its_own_parcels_only(service) -> None:
    ours, theirs, a, b, run_id = await _published_year(service)
    own = enterprise(a.lower())  # the claim is normalised like every USCC coming in

    def body(parcel: str) -> dict[str, Any]:
        return {"parcel_id": parcel, "year": YEAR, "statement": "产值统计有误"}

    # Objecting for another enterprise's parcel, or one it cannot know, tells it nothing.
    for parcel in (theirs, f"NEVER-{uuid.uuid4().hex[:6]}"):
        problem = refused(await service.client.post("/v1/objections", json=body(parcel), headers=own),
                          403, "not-your-parcel")
        assert problem["title"].startswith("无权操作其他企业的地块")
    mine = await service.client.post("/v1/objections", json=body(ours), headers=own)
    assert mine.status_code == 201 and mine.json()["holder_uscc"] == a, mine.text
    # A portal token bound to no enterprise keeps today's rules.
    unbound = await service.client.post("/v1/objections", json=body(theirs), headers=PORTAL)
    assert unbound.status_code == 201, unbound.text

    # Grades: the current one (also when remembered for a plain reader first) and the history.
    assert (await service.client.get(f"/v1/parcels/{theirs}/grade", headers=READ)).status_code == 200
    for path in (f"/v1/parcels/{theirs}/grade", f"/v1/parcels/{theirs}/grades"):
        refused(await service.client.get(path, params={"year": YEAR}, headers=own), 403, "not-your-parcel")
        refused(await service.client.get(path, headers=own), 403, "not-your-parcel")
    assert (await service.client.get(f"/v1/parcels/{ours}/grade", headers=own)).json()["holder_uscc"] == a
    history = (await service.client.get(f"/v1/parcels/{ours}/grades", headers=own)).json()
    assert history["items"] and {i["holder_uscc"] for i in history["items"]} == {a}
    listed = (await service.client.get("/v1/grades", params={"year": YEAR}, headers=own)).json()
    assert [i["parcel_id"] for i in listed["items"]] == [ours]
    summary = (await service.client.get("/v1/grades/summary", params={"year": YEAR}, headers=own)).json()
    assert summary["total"] == 1

    # Objections: the list holds its own only, another's is refused by id.
    objections = (await service.client.get("/v1/objections", params={"run_id": run_id}, headers=own)).json()
    assert [o["id"] for o in objections["items"]] == [mine.json()["id"]]
    refused(await service.client.get(f"/v1/objections/{unbound.json()['id']}", headers=own), 403, "not-your-parcel")
    assert (await service.client.get(f"/v1/objections/{mine.json()['id']}", headers=own)).status_code == 200
    everyone = (await service.client.get("/v1/objections", params={"run_id": run_id}, headers=READ)).json()
    assert len(everyone["items"]) == 2

    # Deciding needs `objections:decide` (admin still does), never an enterprise's token.
    decision = {"decision": "rejected", "note": "不成立"}
    url = f"/v1/objections/{mine.json()['id']}/decision"
    for headers in (RUNS, own, enterprise(a, "objections:decide")):
        assert (await service.client.post(url, json=decision, headers=headers)).status_code == 403
    decided = await service.client.post(url, json=decision, headers=DECIDE)
    assert decided.status_code == 200 and decided.json()["state"] == "rejected", decided.text
    other = await service.client.post(f"/v1/objections/{unbound.json()['id']}/decision", json=decision, headers=ADMIN)
    assert other.status_code == 200, other.text

    # Finalising is `runs:write`'s (the window is still open: refused for that, not for the scope).
    assert (await service.client.post(f"/v1/evaluation-runs/{run_id}/finalize", headers=DECIDE)).status_code == 403
    assert (await service.client.post(f"/v1/evaluation-runs/{run_id}/finalize", headers=RUNS)).status_code == 409

    # A claim that is no USCC binds the token to nothing: refused, never read as unbound.
    refused(await service.client.get(f"/v1/parcels/{ours}/grade", headers=enterprise("91110000NOTAUSCC1")),
            403, "invalid-uscc")


async def test_lookups_without_a_grade_and_malformed_ids_and_filters_fail_closed(service) -> None:
    never = f"NEVER-{uuid.uuid4().hex[:8]}"
    for path in (f"/v1/parcels/{never}/grade", f"/v1/parcels/{never}/grades"):
        problem = refused(await service.client.get(path, headers=READ), 404, "no-grade")
        assert never in problem["detail"]
        refused(await service.client.get(path, params={"year": YEAR}, headers=READ), 404, "no-grade")

    for bad in ("has%20blank", "a" * 65, "ctl%01x", "pct%25x"):
        for path in (f"/v1/parcels/{bad}/grade", f"/v1/parcels/{bad}/grades"):
            assert field_of(await service.client.get(path, headers=READ)) == ["parcel_id"], path
    objection = {"parcel_id": "has blank", "year": YEAR, "statement": "x"}
    assert field_of(await service.client.post("/v1/objections", json=objection, headers=PORTAL)) == ["parcel_id"]

    grades = "/v1/grades"
    assert field_of(await service.client.get(grades, params={"street": "nowhere"}, headers=READ)) == ["street"]
    assert field_of(await service.client.get(grades, params={"grade": "E"}, headers=READ)) == ["grade"]
    assert field_of(await service.client.get(grades, params={"after": "a b"}, headers=READ)) == ["after"]
    assert (await service.client.get(grades, params={"street": "Ronghua"}, headers=READ)).status_code == 200
    objections = "/v1/objections"
    assert field_of(await service.client.get(objections, params={"state": "open"}, headers=READ)) == ["state"]
    assert field_of(await service.client.get(objections, params={"parcel_id": "a/b"}, headers=READ)) == ["parcel_id"]


async def test_a_street_filter_takes_any_spelling_of_the_stored_street(service) -> None:
    parcel, holder = f"ST-{uuid.uuid4().hex[:8]}", service.uscc()
    await service.parcel(parcel, holder)  # registered under 荣华街道
    await service.filing(parcel, holder, YEAR, "241000000", "25000000")
    await service.grade_becomes(parcel, "B", YEAR)
    for spelling in ("荣华街道", "ronghua", "Ronghua Street", "荣华"):
        listed = (await service.client.get("/v1/grades", params={"year": YEAR, "street": spelling},
                                           headers=READ)).json()
        assert parcel in [i["parcel_id"] for i in listed["items"]], spelling


async def test_a_lone_surrogate_in_any_write_body_is_422_naming_the_field(service) -> None:
    seed = (await service.client.get("/v1/rulesets", headers=READ)).json()["items"][0]["id"]
    lone = "\ud800"
    cases: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
        ("/v1/objections", PORTAL, {"parcel_id": "P-1", "year": YEAR, "statement": lone}, "statement"),
        ("/v1/objections", PORTAL, {"parcel_id": "P" + lone, "year": YEAR, "statement": "x"}, "parcel_id"),
        ("/v1/rulesets", ADMIN, {"id": "r-x", "name": "x", "based_on": seed,
                                 "changes": {"clauses": {"II.1": {"zh": lone, "en": "x"}}}}, "changes"),
        ("/v1/rulesets", ADMIN, {"id": "r-x", "name": "x", "based_on": seed, "changes": {lone: "1"}}, "changes"),
        ("/v1/rulesets", ADMIN, {"id": "r-x", "name": "x", "document": {"name": [lone]}}, "document"),
        (f"/v1/rulesets/{seed}/simulate", ADMIN,
         {"year": YEAR, "changes": {"thresholds": {"output_per_ha": lone}}}, "changes"),
        (f"/v1/rulesets/{seed}/simulate", ADMIN, {"year": YEAR, "changes": {"thresholds": {lone: "1"}}}, "changes"),
        ("/v1/evaluation-runs", RUNS, {"year": YEAR, "ruleset_id": lone}, "ruleset_id"),
        ("/v1/objections/any/decision", DECIDE, {"decision": "rejected", "note": lone}, "note"),
        ("/v1/objections", PORTAL, {"parcel_id": "P-1", "year": YEAR, "statement": "x", lone: 1}, "body"),
    ]
    wrong = []
    for path, headers, body, field in cases:
        # json.dumps writes the surrogate as the escape "\ud800", as a client would send it.
        response = await service.client.post(path, content=json.dumps(body).encode(),
                                             headers={**headers, "Content-Type": "application/json"})
        if response.status_code != 422 or [e["field"] for e in response.json()["errors"]] != [field]:
            wrong.append((path, field, response.status_code, response.text[:300]))
    assert wrong == []
    assert (await service.client.get("/v1/rulesets/r-x", headers=READ)).status_code == 404  # nothing stored
