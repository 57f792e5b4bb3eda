"""Identifiers fail closed: a USCC is normalised and checked (`parse_uscc`) wherever it enters
the ledger, a malformed one is a 422 naming the field, and a well-formed one the ledger never saw
is a 404 of its own type; no answer about an enterprise reads as "clear" unless the ledger holds it."""

from __future__ import annotations

import random
from urllib.parse import quote

import pytest

from credit_ledger.entrypoints.http.deps import UNKNOWN_ENTERPRISE
from landgrade.testing import read_events, token
from landgrade_events.evaluation import ParcelGraded
from landgrade_reference.uscc import ALPHABET, with_check_character
from servicekit.kafka import dlq_topic
from servicekit.problems import MEDIA_TYPE

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra
FIELD = {"benefits": "uscc", "credit": "uscc", "benefit list": "after", "repair": "subject_ref"}
READER = token("credit:read", "benefits:read", "credit:repair", subject="approval-system")


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def spellings(code: str) -> list[str]:
    """How clerks type a valid code: every one normalises to it."""
    return [code.lower(), f" {code[:8]} {code[8:]} ", f"{code[:2]}-{code[2:8]}-{code[8:]}", full_width(code),
            full_width(code.lower()), f"{code[:6].lower()}\u3000{code[6:]}"]


def wrong_character(code: str, rng: random.Random) -> str:
    """One character changed: the check character always catches it."""
    position = rng.randrange(18)
    options = [ch for ch in ALPHABET if ch != code[position]]
    if 2 <= position < 8:
        options = [ch for ch in options if ch.isdigit()]
    return code[:position] + rng.choice(options) + code[position + 1:]


def malformed(count: int, seed: int = 20250301) -> list[str]:
    """Wrong check characters, wrong lengths, characters outside the alphabet: none is a USCC,
    in any spelling (lower case ones included)."""
    rng = random.Random(seed)
    bad: list[str] = []
    while len(bad) < count:
        code = with_check_character("91110302" + "".join(rng.choice(ALPHABET) for _ in range(9)))
        kind = len(bad) % 6
        if kind == 0:
            value = wrong_character(code, rng)
        elif kind == 1:
            value = code[:rng.randrange(1, 18)]
        elif kind == 2:
            value = code + "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 6)))
        elif kind == 3:
            position = rng.randrange(18)
            value = code[:position] + rng.choice("IOZSV*!.~é中") + code[position + 1:]
        elif kind == 4:
            value = code[:2] + "AB" + code[4:]  # letters in the region code
        else:
            value = wrong_character(code, rng).lower()
        bad.append(value)
    return bad


async def test_a_d_grade_enterprise_is_restricted_in_every_spelling_and_a_mistyped_one_is_refused(
        world: World) -> None:
    holder = uscc()
    await world.enterprise(holder, "亦庄限制有限公司")
    await world.graded_and_applied(world.graded(ref("P"), holder, "D"))
    canonical = await world.client.get(f"/v1/benefits/{holder}", headers=READER)
    assert canonical.status_code == 200 and canonical.json()["restricted"] is True
    credit = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()

    for spelling in spellings(holder):
        answer = await world.client.get(f"/v1/benefits/{quote(spelling, safe='')}", headers=READER)
        assert answer.status_code == 200 and answer.json() == canonical.json(), spelling
        file = await world.client.get(f"/v1/subjects/{quote(spelling, safe='')}/credit", headers=READER)
        assert file.status_code == 200 and file.json()["records"] == credit["records"], spelling

    rng = random.Random(7)
    for _ in range(20):
        mistyped = wrong_character(holder, rng)
        answer = await world.client.get(f"/v1/benefits/{mistyped}", headers=READER)
        assert answer.status_code == 422 and answer.headers["content-type"] == MEDIA_TYPE, mistyped
        [error] = answer.json()["errors"]
        assert (error["field"], error["in"]) == ("uscc", "path") and error["message"]
        assert "restricted" not in answer.text


async def test_a_well_formed_uscc_the_ledger_never_saw_is_a_typed_404_never_clear(world: World) -> None:
    stranger = uscc()
    for path in (f"/v1/benefits/{stranger}", f"/v1/subjects/{stranger}/credit",
                 f"/v1/benefits/{stranger.lower()}"):
        answer = await world.client.get(path, headers=READER)
        assert answer.status_code == 404 and answer.headers["content-type"] == MEDIA_TYPE, path
        assert answer.json()["type"] == UNKNOWN_ENTERPRISE and "restricted" not in answer.json()

    operations = (await world.client.get("/openapi.json")).json()["paths"]
    for path in ("/v1/benefits/{uscc}", "/v1/subjects/{uscc}/credit"):
        documented = operations[path]["get"]["responses"]
        assert UNKNOWN_ENTERPRISE in documented["404"]["description"], path
        assert MEDIA_TYPE in documented["404"]["content"] and "422" in documented


async def test_no_malformed_uscc_on_any_route_reads_as_clear(world: World) -> None:
    holder = uscc()
    await world.enterprise(holder, "亦庄模糊测试有限公司")
    await world.graded_and_applied(world.graded(ref("P"), holder, "D"))
    record_id = (await world.client.get(f"/v1/subjects/{holder}/credit", headers=READER)).json()["records"][0][
        "record_id"]

    answers: dict[str, list[int]] = {}
    for value in malformed(150):
        path = quote(value, safe="")
        for route, send in (
            ("benefits", world.client.get(f"/v1/benefits/{path}", headers=READER)),
            ("credit", world.client.get(f"/v1/subjects/{path}/credit", headers=READER)),
            ("benefit list", world.client.get("/v1/benefits", params={"list": "restricted", "after": value},
                                              headers=READER)),
            ("repair", world.client.post("/v1/repairs", headers=READER, json={
                "subject_ref": value, "record_id": record_id, "evidence": ["a.pdf"]})),
        ):
            answer = await send
            answers.setdefault(route, []).append(answer.status_code)
            assert answer.status_code in (404, 422), (route, value, answer.status_code, answer.text)
            assert answer.headers["content-type"] == MEDIA_TYPE
            if answer.status_code == 422:
                assert {e["field"] for e in answer.json()["errors"]} == {FIELD[route]}, (route, value)
    assert {route: len(codes) for route, codes in answers.items()} == dict.fromkeys(FIELD, 150)
    assert set(answers["repair"]) == {422}  # refused before anything is stored
    assert await world.scalar("SELECT count(*) FROM repairs WHERE record_id = :r", r=record_id) == 0


async def test_a_grading_naming_a_malformed_holder_goes_to_the_dead_letter_topic(world: World) -> None:
    holder = uscc()
    bad = holder[:17] + ("1" if holder[17] != "1" else "2")
    event = world.graded(ref("P"), bad, "D")
    await world.publish(event)
    dead = await read_events(world.bootstrap, dlq_topic(ParcelGraded.TOPIC),
                             lambda e: e.data.get("evaluation_id") == event.evaluation_id)
    assert len(dead) == 1
    assert await world.scalar("SELECT count(*) FROM grades WHERE evaluation_id = :e", e=event.evaluation_id) == 0

    lower = world.graded(ref("P"), holder.lower(), "D")
    await world.graded_and_applied(lower)
    assert await world.scalar("SELECT holder_uscc FROM grades WHERE evaluation_id = :e",
                              e=lower.evaluation_id) == holder
    assert (await world.client.get(f"/v1/benefits/{holder}", headers=READER)).json()["restricted"] is True


async def test_a_well_formed_person_token_or_record_id_the_ledger_never_saw_is_a_typed_404(world: World) -> None:
    admin = token("admin", subject="admin-1")
    stranger = "p_" + "0" * 40
    file = await world.client.get(f"/v1/subjects/{stranger}/credit", headers=admin)
    assert file.status_code == 404 and file.json()["type"].endswith("/unknown-subject")
    applied = await world.client.post("/v1/repairs", headers=READER, json={
        "subject_ref": uscc(), "record_id": "no-such-record", "evidence": ["a.pdf"]})
    assert applied.status_code == 404 and applied.json()["type"].endswith("/unknown-record")
    by_person = await world.client.post("/v1/repairs", headers=admin, json={
        "subject_ref": stranger, "record_id": "no-such-record", "evidence": ["a.pdf"]})
    assert by_person.status_code == 404 and by_person.json()["type"].endswith("/unknown-subject")
    # What the document states: a USCC or a person token, each with its form.
    subject = (await world.client.get("/openapi.json")).json()["components"]["schemas"]["RepairIn"][
        "properties"]["subject_ref"]
    assert [branch.get("format") for branch in subject["oneOf"]] == ["uscc", None]
