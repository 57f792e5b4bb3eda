"""What routes share: the registry from the app state, path checks, and error translation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from landgrade_reference.uscc import InvalidUscc, parse_uscc
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.values import identifier_problem
from parcel_registry.service_layer.registry import NotFound, Registry
from servicekit.problems import Problem, problem_response


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(_registry)]

READ_SCOPES = ("registry:read", "registry:write")


def path_uscc(raw: str, field: str = "uscc") -> str:
    try:
        return parse_uscc(raw)
    except InvalidUscc as bad:
        raise Problem(
            422, "Invalid USCC", str(bad), errors=[{"field": field, "in": "path", "message": str(bad)}]
        ) from None


def path_id(raw: str, field: str) -> str:
    if problem := identifier_problem(raw):
        raise Problem(422, f"Invalid {field}", problem, errors=[{"field": field, "in": "path", "message": problem}])
    return raw


def invalid(error: DomainValidationError, renames: Mapping[str, str] | None = None) -> Problem:
    """A 422 problem listing every broken rule under the request's own field names."""

    def segment(part: str) -> str:
        base, bracket, rest = part.partition("[")
        return (renames or {}).get(base, base) + bracket + rest

    def name(field: str) -> str:
        return ".".join(segment(part) for part in field.split("."))

    errors = [{"field": name(e.field), "in": "body", "message": e.reason} for e in error.errors]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return Problem(422, "Invalid request", f"Check these fields: {fields}.", errors=errors)


def install_error_handlers(app: FastAPI) -> None:
    async def not_found(request: Request, error: Exception) -> JSONResponse:
        return problem_response(Problem(404, "Not found", str(error)), request)

    async def broken_rule(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainValidationError)
        return problem_response(invalid(error), request)

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(DomainValidationError, broken_rule)
