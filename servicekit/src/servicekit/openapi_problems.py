"""Every error is an RFC 9457 problem document: the OpenAPI document says so for every operation.

FastAPI documents its own `{"detail": [...]}` body as `application/json` for 422 and nothing for
other error statuses, while the services answer every error with `application/problem+json`.
Clients generated from the contract (and contract tests) would believe the wrong body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from servicekit.problems import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; validation errors list every bad field in `errors`.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["message"],
            "properties": {"field": {"type": "string"}, "in": {"type": "string"}, "message": {"type": "string"}},
        }},
    },
}
_PROBLEM = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_GENERIC = {
    "400": "Malformed request, or a NUL byte in the URL or body",
    "401": "Missing, invalid or expired bearer token",
    "403": "The token lacks the scope, or acts for another jurisdiction",
    "413": "The body is larger than the service accepts",
    "422": "Invalid fields (each one listed in `errors`)",
    "4XX": "Any other client error",
}


def document_problems(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        schema = generate()
        if first:
            _rewrite(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# Where the document's paths are served: relative, so the same document holds behind the city's
# gateway and on `make run` (each service on its own port).
SERVERS = [{"url": "/", "description": "this service, at the address it is reached on"}]
LICENSE = {"name": "Proprietary: for the land administration that operates landgrade"}


# Every service refuses a NUL character anywhere in a URL or body (400): the documents say so on
# every free text they accept, so that a client's own validation refuses it first.
NO_NUL = "^[^\\u0000]*$"
_FREE_TEXT_EXEMPT = frozenset({"pattern", "enum", "const"})


def _no_nul(node: Any) -> None:
    """Adds the NUL-free pattern to every string schema that states no pattern, enum or format."""
    if isinstance(node, list):
        for item in node:
            _no_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not (_FREE_TEXT_EXEMPT & node.keys()) and "format" not in node:
        node["pattern"] = NO_NUL
    for value in node.values():
        _no_nul(value)


def _rewrite(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _no_nul(components)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _no_nul(operation.get("parameters", []))
            _no_nul(operation.get("requestBody", {}))
    components["Problem"] = PROBLEM_SCHEMA
    schema["servers"] = SERVERS
    schema["info"]["license"] = LICENSE
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            secured = bool(operation.get("security"))
            operation.setdefault("security", [])  # stated on every operation: [] is "no token needed"
            for status, description in _GENERIC.items():
                if (status in ("401", "403") and not secured) or (status == "413" and "requestBody" not in operation):
                    continue
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status[0] in "45" and _generic_body(response):
                    response["content"] = _PROBLEM
    for name in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{name}"' not in json.dumps(schema.get("paths")):
            if name == "ValidationError" and "HTTPValidationError" in json.dumps(schema.get("paths")):
                continue
            components.pop(name, None)


def _generic_body(response: dict[str, Any]) -> bool:
    """No body documented, or FastAPI's own validation body: both are really a problem."""
    content = response.get("content")
    return not content or "HTTPValidationError" in json.dumps(content)
