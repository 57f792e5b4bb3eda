"""The request bodies refuse what no field can hold: lone surrogates anywhere, malformed USCCs."""

import json

import pytest
from pydantic import ValidationError

from enforcement.entrypoints.http.schemas import FindingIn, InspectionIn, TransitionIn, has_surrogate
from landgrade_reference.uscc import uscc_check_character

FIRST17 = "91110302MA01ABCDE"
USCC = FIRST17 + uscc_check_character(FIRST17)
WRONG_CHECK = FIRST17 + next(c for c in "0123456789" if c != USCC[-1])


def inspection(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "inspection_id": "insp-1", "parcel_id": "P-1", "inspected_at": "2024-06-01T09:00:00+08:00",
        "inspector": "Wang Li", "findings": [{"type": "unauthorised_lease", "tenant_uscc": USCC, "note": "let"}]}
    return body | overrides


def from_json(model: type[InspectionIn] | type[TransitionIn], text: str) -> object:
    return model.model_validate(json.loads(text))  # json.loads keeps "\ud800" as a lone surrogate


def error_locations(error: ValidationError) -> list[tuple[object, ...]]:
    return [e["loc"] for e in error.errors()]


LONE = "@@"  # replaced by the JSON escape of a lone surrogate once the body is text


@pytest.mark.parametrize(("overrides", "location"), [
    ({"inspector": LONE}, ("inspector",)),
    ({"inspector": f"Wang {LONE} Li"}, ("inspector",)),
    ({"inspection_id": f"insp-{LONE}"}, ("inspection_id",)),
    ({"parcel_id": f"P-{LONE}"}, ("parcel_id",)),
    ({"inspected_at": f"2024-06-01{LONE}"}, ("inspected_at",)),
    ({"findings": [{"type": "abandoned", "note": f"roof {LONE} gone"}]}, ("findings", 0, "note")),
    ({"findings": [{"type": "unauthorised_lease", "tenant_uscc": f"9111{LONE}"}]}, ("findings", 0, "tenant_uscc")),
    ({"findings": [{"type": f"abandoned{LONE}"}]}, ("findings", 0, "type")),
    ({"findings": [{"type": "abandoned", LONE: 1}]}, ("findings", 0)),
    ({LONE: "x"}, ()),
])
def test_a_lone_surrogate_anywhere_in_an_inspection_is_refused_with_its_field(
        overrides: dict[str, object], location: tuple[object, ...]) -> None:
    for escape in ("\\ud800", "\\udfff", "\\udbff"):
        with pytest.raises(ValidationError) as exc:
            from_json(InspectionIn, json.dumps(inspection(**overrides)).replace(LONE, escape))
        assert error_locations(exc.value) == [location]
        message = exc.value.errors()[0]["msg"]
        assert "代理字符" in message and "unpaired surrogate" in message
        assert message.index("代理字符") < message.index("unpaired surrogate")  # Chinese first


@pytest.mark.parametrize("body", ['{"to": "briefed", "reason": "owner agreed \\ud800"}',
                                  '{"to": "briefed\\udc00", "reason": "x"}'])
def test_a_lone_surrogate_in_a_case_transition_is_refused(body: str) -> None:
    with pytest.raises(ValidationError) as exc:
        from_json(TransitionIn, body)
    assert len(exc.value.errors()) == 1 and "unpaired surrogate" in exc.value.errors()[0]["msg"]


def test_paired_surrogates_are_ordinary_text() -> None:
    body = json.loads(json.dumps(inspection(inspector="王力 \U0001f477")))  # an astral character
    assert InspectionIn.model_validate(body).inspector == "王力 \U0001f477"
    assert not has_surrogate("王力 \U0001f477") and has_surrogate({"a": ["\ud800"]})


@pytest.mark.parametrize("spelling", [
    USCC.lower(), " ".join(USCC[i:i + 4] for i in range(0, 18, 4)), f"{USCC[:6]}-{USCC[6:]}",
    "".join(chr(ord(c) + 0xFEE0) for c in USCC), f"\u3000{USCC}\u3000",
])
def test_a_tenant_uscc_in_any_spelling_is_normalised(spelling: str) -> None:
    assert FindingIn.model_validate({"type": "unauthorised_lease", "tenant_uscc": spelling}).tenant_uscc == USCC


@pytest.mark.parametrize("bad", [WRONG_CHECK, WRONG_CHECK.lower(), USCC[:17], USCC + "0", USCC.replace("M", "O"),
                                 USCC[:-1] + "\t" + USCC[-1], "not a code"])
def test_a_malformed_tenant_uscc_is_refused_with_its_field(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        InspectionIn.model_validate(inspection(findings=[{"type": "unauthorised_lease", "tenant_uscc": bad}]))
    [error] = exc.value.errors()
    assert error["loc"] == ("findings", 0, "tenant_uscc") and "USCC" in error["msg"]


def test_a_blank_tenant_uscc_is_absent() -> None:
    assert FindingIn.model_validate({"type": "abandoned", "tenant_uscc": "  "}).tenant_uscc is None
