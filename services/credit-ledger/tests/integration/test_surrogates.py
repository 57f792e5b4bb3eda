"""A lone UTF-16 surrogate (JSON "\\ud800") is no text: in any write body it is a 422 naming the
field, never a failure when the text is stored (500)."""

from __future__ import annotations

import json

import pytest

from landgrade.testing import token
from servicekit.problems import MEDIA_TYPE

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra
ADMIN, APPLICANT = token("admin", subject="reviewer"), token("credit:repair", "credit:read")
LONE = "\\ud800"  # as JSON writes it


def with_lone_surrogate(body: dict[str, object], field: str) -> bytes:
    """`body` as JSON with a lone surrogate in `field` (the value, or the field's first item)."""
    marker = "SURROGATE-HERE"
    value = body[field]
    body = body | {field: [marker, *value[1:]] if isinstance(value, list) else marker}
    return json.dumps(body).replace(marker, f"x{LONE}y").encode()


async def test_a_lone_surrogate_in_any_write_body_is_a_422_naming_the_field(world: World) -> None:
    holder = uscc()
    await world.enterprise(holder, "亦庄编码有限公司")
    await world.graded_and_applied(world.graded(ref("P"), holder, "D"))
    record_id = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=APPLICANT)).json()["records"][0][
        "record_id"]
    application = {"subject_ref": holder, "record_id": record_id, "evidence": ["a.pdf"], "statement": "ok"}
    json_body = {"Content-Type": "application/json"}

    for field in ("subject_ref", "record_id", "evidence", "statement"):
        answer = await world.client.post("/v1/repairs", headers=APPLICANT | json_body,
                                         content=with_lone_surrogate(application, field))
        assert answer.status_code == 422 and answer.headers["content-type"] == MEDIA_TYPE, (field, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    key = await world.client.post("/v1/repairs", headers=APPLICANT | json_body,
                                  content=json.dumps(application)[:-1].encode() + f', "{LONE}": 1}}'.encode())
    assert key.status_code == 422 and key.json()["errors"][0]["in"] == "body"
    assert await world.scalar("SELECT count(*) FROM repairs WHERE subject_ref = :s", s=holder) == 0

    repair_id = (await world.client.post("/v1/repairs", headers=APPLICANT, json=application)).json()["repair_id"]
    for decision in ("approve", "reject"):
        answer = await world.client.post(f"/v1/repairs/{repair_id}/{decision}", headers=ADMIN | json_body,
                                         content=with_lone_surrogate({"note": ""}, "note"))
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "note", answer.text
    assert (await world.client.get(f"/v1/repairs/{repair_id}", headers=APPLICANT)).json()["status"] == "pending"
