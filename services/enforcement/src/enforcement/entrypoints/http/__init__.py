"""HTTP routes of enforcement, and the problem each of its errors is answered with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from enforcement.domain.errors import (
    EvidenceAltered,
    EvidenceRejected,
    IllegalTransition,
    InvalidInput,
    OutsideJurisdiction,
)
from enforcement.entrypoints.http.cases import router as cases_router
from enforcement.entrypoints.http.inspections import router as inspections_router
from enforcement.entrypoints.http.tasks import router as tasks_router
from enforcement.service_layer.errors import Conflict, NotFound
from servicekit.problems import Problem, ProblemMap


def routers() -> list[APIRouter]:
    return [inspections_router, cases_router, tasks_router]


_EVIDENCE_STATUS = {"media_type": 415, "too_large": 413, "too_many": 409}


def _evidence_rejected(e: EvidenceRejected) -> Problem:
    return Problem(_EVIDENCE_STATUS.get(e.reason, 422), "Evidence refused", str(e), reason=e.reason,
                   errors=[{"field": "file", "message": str(e)}])


def _invalid(e: InvalidInput) -> Problem:
    return Problem(422, "Invalid request", str(e), errors=[{"field": f.field, "message": f.message} for f in e.errors])


def _illegal(e: IllegalTransition) -> Problem:
    return Problem(409, "Transition not allowed", str(e), from_state=e.from_state, to_state=e.to_state)


def _altered(_: Any) -> Problem:
    return Problem(500, "Evidence file altered", "The stored file no longer matches its recorded SHA-256.")


PROBLEMS: ProblemMap = {
    InvalidInput: _invalid,
    OutsideJurisdiction: lambda e: Problem(403, "Outside your jurisdiction", str(e)),
    IllegalTransition: _illegal,
    EvidenceRejected: _evidence_rejected,
    NotFound: lambda e: Problem(404, "Not found", str(e)),
    Conflict: lambda e: Problem(409, e.title, str(e)),
    EvidenceAltered: _altered,
}
