"""The committed contracts pass validators written by others, not only the code that made them:
the OpenAPI documents through openapi-spec-validator, the AsyncAPI document against the
AsyncAPI Initiative's own JSON Schema for 3.0.0 (`asyncapi-3.0.0.schema.json`, from the
`@asyncapi/specs` package, Apache-2.0, kept here so the check runs offline), and every event
schema against its JSON Schema metaschema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, validators
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
OPENAPI = sorted((CONTRACTS / "openapi").glob("*.json"))
EVENTS = sorted((CONTRACTS / "events").glob("*.schema.json"))


def test_there_is_a_document_per_service_and_per_event() -> None:
    assert {p.stem for p in OPENAPI} >= {"parcel-registry", "evaluation", "credit-ledger", "enforcement"}
    assert len(EVENTS) >= 12


@pytest.mark.parametrize("path", OPENAPI, ids=lambda p: p.stem)
def test_openapi_documents_are_valid(path: Path) -> None:
    validate(json.loads(path.read_text()))


def test_the_asyncapi_document_is_valid_asyncapi_3() -> None:
    schema = json.loads((Path(__file__).parent / "asyncapi-3.0.0.schema.json").read_text())
    document = json.loads((CONTRACTS / "asyncapi.json").read_text())
    assert document["asyncapi"] == "3.0.0"
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.name.removesuffix(".schema.json"))
def test_event_schemas_are_valid_json_schema(path: Path) -> None:
    schema = json.loads(path.read_text())
    validators.validator_for(schema).check_schema(schema)


def test_the_validators_do_refuse_a_broken_document() -> None:
    """The checks above can fail: a document with an operation that has no responses is refused."""
    broken = json.loads(OPENAPI[0].read_text())
    first = next(iter(broken["paths"].values()))
    next(iter(first.values()))["responses"] = "none"
    with pytest.raises(Exception, match=r"responses|not of type|is not valid"):
        validate(broken)


def test_the_asyncapi_check_refuses_a_document_without_info() -> None:
    schema = json.loads((Path(__file__).parent / "asyncapi-3.0.0.schema.json").read_text())
    document = json.loads((CONTRACTS / "asyncapi.json").read_text())
    del document["info"]
    assert any("info" in e.message for e in Draft7Validator(schema).iter_errors(document))
