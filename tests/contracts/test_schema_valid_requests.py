"""A client built from the OpenAPI documents is never refused for a reason the schema could have
stated: schema-valid requests, generated from each service's own document, get no 400, 415 or
422 — except for checks JSON Schema cannot state, which the documents name with a `format`
(`uscc`, `resident-id`: a check character) and for which this test supplies valid values.
404 and 409 are answers about the state of the data (an unknown id, a conflict), not refusals of
the request's shape, and are allowed; so is an uploaded file refused for its content.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi

from landgrade.testing import Infra
from tests.reliability.generation import register
from tests.reliability.services import SERVICES, fresh_settings
from tests.reliability.world import role_headers

pytestmark = [pytest.mark.infra,
              pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")]

EXAMPLES = 12  # per operation: every operation's schema is exercised; the long run is tests/reliability
SHAPE_REFUSALS = {400, 415, 422}


def _about_file_content(case: Any, response: Any) -> bool:
    """An uploaded file refused for what is inside it (not a spreadsheet, not an image the service
    takes): a schema states a part's name and media type, never its content."""
    if "multipart/form-data" not in (case.media_type or ""):
        return False
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(e.get("field") == "file" for e in errors)


def _rules_fields(document: dict[str, Any]) -> dict[str, set[str]]:
    """Per operation ("PUT /v1/enterprises/{uscc}"), the fields its `x-landgrade-rules` name: rules
    JSON Schema cannot state (arithmetic across fields, a bound relative to today), which the
    document states beside the schema for a client to apply."""
    return {label: {f for rule in rules for f in rule["fields"]} for label, rules in _rules(document).items()}


def _by_stated_rule(response: Any, stated: set[str]) -> bool:
    """A 422 every one of whose errors is about a field a stated rule names."""
    if response.status_code != 422 or not stated:
        return False
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(e.get("field") in stated for e in errors)


def _generate(operation: Any, refused: list[str], stated: set[str]) -> None:
    seen: set[str] = set()

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    # Derandomized: the same requests every run, so a refusal is found every time or never.
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case: Any) -> None:
        response = case.call(headers=role_headers("admin"))
        key = f"{operation.label} {response.status_code}"
        if (response.status_code in SHAPE_REFUSALS and not _about_file_content(case, response)
                and not _by_stated_rule(response, stated) and key not in seen):
            seen.add(key)
            refused.append(f"{key}: {response.text[:600]}\n    request: {case.as_curl_command()[:600]}")

    run()


@pytest.mark.parametrize("service", SERVICES)
async def test_schema_valid_requests_are_not_refused(service: str, infra: Infra, tmp_path: Path) -> None:
    register()
    service_settings = await fresh_settings(infra, service, tmp_path)
    app = SERVICES[service][1].build_app(service_settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    refused: list[str] = []
    operations = 0
    rules = _rules_fields(app.openapi())

    try:
        for result in schema.get_all_operations():
            operations += 1
            operation = result.ok()
            _generate(operation, refused, rules.get(operation.label, set()))
    finally:
        asgi.shutdown_lifespans()
    print(f"\n{service}: {operations} operations × {EXAMPLES} schema-valid requests, {len(refused)} refused")
    assert not refused, "\n\n".join(refused)


def test_every_stated_rule_names_its_fields_in_chinese_and_english() -> None:
    documents = sorted((Path(__file__).resolve().parents[2] / "contracts" / "openapi").glob("*.json"))
    assert documents
    for path in documents:
        for label, operation_rules in _rules(json.loads(path.read_text())).items():
            for rule in operation_rules:
                assert rule.get("fields") and all(isinstance(f, str) and f for f in rule["fields"]), (path.name, label)
                assert rule.get("zh") and rule.get("en"), (path.name, label, rule)


def _rules(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {f"{method.upper()} {path}": operation["x-landgrade-rules"]
            for path, item in document.get("paths", {}).items() for method, operation in item.items()
            if isinstance(operation, dict) and operation.get("x-landgrade-rules")}
