"""The OpenAPI document states what the service checks: a client validating against it sends what
the service accepts and refuses what the service would refuse (tests/contracts generates requests
from it; these pin each statement to the check it mirrors)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from evaluation.bootstrap import build_app
from evaluation.domain.identifiers import parcel_id_problem
from evaluation.domain.ruleset import RulesetError
from evaluation.domain.ruleset_codec import ruleset_from_dict, ruleset_to_dict
from evaluation.domain.rulesets import seed_ruleset_document
from evaluation.entrypoints.http.deps import street_filter
from evaluation.entrypoints.http.ruleset_schema import RULESET_DOCUMENT, RULESET_RULES
from landgrade_reference.jurisdictions import JURISDICTIONS


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_app(run_background=False).openapi()


def _body(document: dict[str, Any], model: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{model}", "components": document["components"]})


def _parameter(document: dict[str, Any], method: str, path: str, name: str) -> Draft202012Validator:
    [found] = [p for p in document["paths"][path][method]["parameters"] if p["name"] == name]
    return Draft202012Validator(found["schema"])


def _candidates() -> list[str]:
    chars = [chr(c) for c in range(0x3100) if not 0xD800 <= c <= 0xDFFF] + ["\U0001F600", "\ufeff", "\uffff"]
    return ["", "x" * 64, "x" * 65] + [f"P-{c}-1" for c in chars]


def test_every_parcel_id_the_schema_allows_is_one_the_service_takes_and_no_other(document) -> None:
    stated = _parameter(document, "get", "/v1/parcels/{parcel_id}/grade", "parcel_id")
    disagree = [value for value in _candidates() if stated.is_valid(value) != (parcel_id_problem(value) is None)]
    assert disagree == []


def test_every_parcel_id_the_service_reads_is_stated_alike(document) -> None:
    path = document["paths"]["/v1/parcels/{parcel_id}/grade"]["get"]["parameters"][0]["schema"]
    bodies = document["components"]["schemas"]
    stated = [
        _parameter_schema(document, "/v1/parcels/{parcel_id}/grades", "parcel_id"),
        _parameter_schema(document, "/v1/objections", "parcel_id"),
        _parameter_schema(document, "/v1/grades", "after"),
        bodies["ObjectionRequest"]["properties"]["parcel_id"],
        bodies["ReEvaluationRequest"]["properties"]["parcel_ids"]["anyOf"][0]["items"],
    ]
    for schema in stated:
        assert {k: schema.get(k) for k in ("pattern", "minLength", "maxLength")} == {
            k: path[k] for k in ("pattern", "minLength", "maxLength")}


def _parameter_schema(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    [found] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    schema: dict[str, Any] = found["schema"]
    return schema


def test_an_empty_parcel_id_filter_is_refused_by_the_schema(document) -> None:
    assert not _parameter(document, "get", "/v1/objections", "parcel_id").is_valid("")


def test_a_grade_goes_only_with_an_upheld_objection(document) -> None:
    decision = _body(document, "DecisionRequest")
    assert decision.is_valid({"decision": "upheld", "grade": "B", "note": "复核成立"})
    assert decision.is_valid({"decision": "upheld", "note": "复核成立"})
    assert decision.is_valid({"decision": "rejected", "note": "不成立"})
    assert decision.is_valid({"decision": "rejected", "grade": None, "note": "不成立"})
    assert not decision.is_valid({"decision": "rejected", "grade": "A", "note": "不成立"})


def test_a_ruleset_needs_a_document_or_a_base(document) -> None:
    request = _body(document, "RulesetRequest")
    seed = {k: v for k, v in ruleset_to_dict(ruleset_from_dict(_seed())).items() if k not in ("id", "name")}
    assert request.is_valid({"id": "r-1", "name": "新", "document": seed})
    assert request.is_valid({"id": "r-1", "name": "新", "based_on": "etown-2024-draft", "changes": {}})
    assert not request.is_valid({"id": "r-1", "name": "新"})
    assert not request.is_valid({"id": "r-1", "name": "新", "document": None, "based_on": None})
    assert not request.is_valid({"id": "r-1", "name": "新", "based_on": "etown-2024-draft",
                                 "changes": {"gaps": {"no_filing_grade": "A"}}})


def _seed() -> dict[str, Any]:
    return dict(seed_ruleset_document())


def test_the_stored_seed_ruleset_is_a_document_the_schema_states() -> None:
    stored = {k: v for k, v in ruleset_to_dict(ruleset_from_dict(_seed())).items() if k not in ("id", "name")}
    errors = [e.message for e in Draft202012Validator(RULESET_DOCUMENT).iter_errors(stored)]
    assert errors == []


def test_a_whole_json_number_is_an_integer_setting_as_the_schema_says() -> None:
    changed = ruleset_from_dict({**_seed(), "objection_window_days": 7.0, "thresholds": {
        "output_per_ha": 250000000.0, "tax_per_ha": "20000000"}})
    assert changed.objection_window_days == 7 and isinstance(changed.objection_window_days, int)
    assert str(changed.thresholds.output_per_ha) == "250000000"
    with pytest.raises(RulesetError):
        ruleset_from_dict({**_seed(), "objection_window_days": 7.5})


@pytest.mark.parametrize(("changes", "field"), [
    ({"objection_window_days": 3, "objection_window_min_days": 10}, "objection_window_days"),
    ({"effective_from": "2025-01-01", "effective_to": "2024-12-31"}, "effective_to"),
])
def test_each_stated_rule_names_the_field_its_refusal_names(changes, field) -> None:
    assert Draft202012Validator(RULESET_DOCUMENT).is_valid(
        {k: v for k, v in {**_seed(), **changes}.items() if k not in ("id", "name")})
    with pytest.raises(RulesetError) as refused:
        ruleset_from_dict({**_seed(), **changes})
    assert refused.value.field == field
    assert any(field in rule["fields"] for rule in RULESET_RULES)


def test_the_stated_rules_are_in_the_document(document) -> None:
    for path in ("/v1/rulesets", "/v1/rulesets/{ruleset_id}/simulate"):
        assert document["paths"][path]["post"]["x-landgrade-rules"] == RULESET_RULES


@pytest.mark.parametrize(("path", "name"), [("/v1/warnings", "street"), ("/v1/grades", "street")])
def test_the_streets_stated_are_the_ones_read(document, path, name) -> None:
    schema = _parameter(document, "get", path, name)
    [parameter] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    stated = parameter["schema"]["enum"]
    assert {street_filter(s) for s in stated} == {j.name_zh for j in JURISDICTIONS}
    assert not schema.is_valid("Chaoyang")


def test_the_warning_cursor_is_a_parcel_id_and_a_measure(document) -> None:
    cursor = _parameter(document, "get", "/v1/warnings", "after")
    assert cursor.is_valid("E-001/output_per_ha") and cursor.is_valid("E-001/tax_per_ha")
    assert not cursor.is_valid("E-001/area") and not cursor.is_valid("/tax_per_ha")
    assert not cursor.is_valid("E 001/tax_per_ha")


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/v1/grades", "404"), ("get", "/v1/grades/summary", "404"), ("get", "/v1/backtests", "404"),
    ("post", "/v1/evaluation-runs", "409"),
])
def test_a_year_without_a_ruleset_is_documented_as_an_answer_about_the_data(document, method, path, status) -> None:
    response = document["paths"][path][method]["responses"][status]
    assert "no-ruleset-for-year" in response["description"]
    assert "application/problem+json" in response["content"]
