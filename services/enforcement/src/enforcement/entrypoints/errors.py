"""Domain and use-case errors as RFC 9457 problems."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from enforcement.adapters.evidence_store import EvidenceAltered
from enforcement.domain.errors import EvidenceRejected, IllegalTransition, InvalidInput, OutsideJurisdiction
from enforcement.service_layer.errors import Conflict, NotFound
from servicekit.problems import Problem, problem_response

_EVIDENCE_STATUS = {"media_type": 415, "too_large": 413, "too_many": 409}


def install_error_handlers(app: FastAPI) -> None:
    def handle(error_type: type[Exception], to_problem: object) -> None:
        async def handler(request: Request, error: Exception) -> JSONResponse:
            return problem_response(to_problem(error), request)  # type: ignore[operator]

        app.add_exception_handler(error_type, handler)

    handle(InvalidInput, lambda e: Problem(
        422, "Invalid request", str(e), errors=[{"field": f.field, "message": f.message} for f in e.errors]))
    handle(OutsideJurisdiction, lambda e: Problem(403, "Outside your jurisdiction", str(e)))
    handle(IllegalTransition, lambda e: Problem(
        409, "Transition not allowed", str(e), from_state=e.from_state, to_state=e.to_state))
    handle(EvidenceRejected, lambda e: Problem(
        _EVIDENCE_STATUS.get(e.reason, 422), "Evidence refused", str(e), reason=e.reason,
        errors=[{"field": "file", "message": str(e)}]))
    handle(NotFound, lambda e: Problem(404, "Not found", str(e)))
    handle(Conflict, lambda e: Problem(409, e.title, str(e)))
    handle(EvidenceAltered, lambda e: Problem(
        500, "Evidence file altered", "The stored file no longer matches its recorded SHA-256."))
