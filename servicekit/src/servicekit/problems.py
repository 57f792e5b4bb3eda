"""RFC 9457 problem details for every error, with a field-level list for validation errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.db import is_transient
from servicekit.logging import get_logger, redact

MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None, *,
                 type_: str = "about:blank", errors: list[dict[str, Any]] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.type, self.errors = status, title, detail, type_, errors
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        # A caller may put an ID number where an id goes (a USCC, a path): the answer never echoes it.
        redacted: dict[str, Any] = _redacted(body | self.extra)
        return redacted


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        # A lone surrogate (a field name or value as a client sent it) cannot be written as UTF-8:
        # it is shown as U+FFFD so that the refusal itself never fails.
        return redact(_LONE_SURROGATE.sub("\ufffd", value))
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def problem_response(problem: Problem, request: Request | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    return JSONResponse(problem.body(instance), status_code=problem.status, media_type=MEDIA_TYPE,
                        headers=headers)


def field_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as `{field, message, type}` with a dotted field path (JSON body prefix dropped)."""
    result = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        result.append({"field": ".".join(loc) or where, "in": where, "message": e.get("msg", ""),
                       "type": e.get("type", "")})
    return result


RETRY_AFTER_SECONDS = 5


# A service's own exceptions and the problem each one is answered with (`create_app(problems=...)`):
# routes raise domain and service-layer errors as they are, and this table alone turns them into HTTP.
ProblemMap = Mapping[type[Exception], Callable[[Any], Problem]]


def install_problem_handlers(app: FastAPI, mapping: ProblemMap | None = None) -> None:
    log = get_logger("http")

    for kind, to_problem in (mapping or {}).items():
        async def _mapped(request: Request, error: Exception,
                          to_problem: Callable[[Any], Problem] = to_problem) -> JSONResponse:
            return problem_response(to_problem(error), request)

        app.add_exception_handler(kind, _mapped)

    @app.exception_handler(Problem)
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = field_errors(list(error.errors()))
        names = ", ".join(e["field"] for e in errors)
        return problem_response(Problem(422, "Invalid request", f"Check these fields: {names}.",
                                        errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(Problem(error.status_code, str(error.detail)), request,
                                headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        if is_transient(error):  # the database is down or restarting: say when to try again
            log.warning("database_unavailable", path=request.url.path, error=repr(error))
            return problem_response(Problem(503, "Service unavailable", "The database cannot be reached just now; "
                                            "nothing was changed. Try again shortly."), request,
                                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        log.error("unhandled_error", path=request.url.path, error=repr(error))
        return problem_response(Problem(500, "Internal error", "The request could not be completed."), request)
