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
from enforcement.entrypoints.http.notices import router as notices_router
from enforcement.entrypoints.http.tasks import router as tasks_router
from enforcement.service_layer.errors import Conflict, NotFound
from servicekit.problems import Problem, ProblemMap, Text


def routers() -> list[APIRouter]:
    return [inspections_router, cases_router, tasks_router, notices_router]


_EVIDENCE_STATUS = {"media_type": 415, "too_large": 413, "too_many": 409}
_PROBLEMS = "https://landgrade.example/problems/"


def _evidence_rejected(e: EvidenceRejected) -> Problem:
    why = Text(e.zh, str(e))
    return Problem(_EVIDENCE_STATUS.get(e.reason, 422), Text("证据文件被拒绝", "Evidence refused"), why,
                   type_=_PROBLEMS + "evidence-refused", reason=e.reason,
                   errors=[{"field": "file", "message": why}])


def _invalid(e: InvalidInput) -> Problem:
    errors = [{"field": f.field, "message": Text(f.zh or f.message, f.message)} for f in e.errors]
    names = ", ".join(f.field for f in e.errors)
    return Problem(422, Text("请求参数有误", "Invalid request"),
                   Text(f"请检查这些字段：{names}。", str(e)), errors=errors)


def _illegal(e: IllegalTransition) -> Problem:
    return Problem(409, Text("不允许的状态变更", "Transition not allowed"),
                   Text(f"{e.kind} 案件不能从 {e.from_state} 变更为 {e.to_state}", str(e)),
                   type_=_PROBLEMS + "transition-not-allowed", from_state=e.from_state, to_state=e.to_state)


def _altered(_: Any) -> Problem:
    return Problem(500, Text("证据文件已被改动", "Evidence file altered"),
                   Text("存储的文件与登记的 SHA-256 不再一致。",
                        "The stored file no longer matches its recorded SHA-256."))


def _outside(e: OutsideJurisdiction) -> Problem:
    return Problem(403, Text("超出辖区", "Outside your jurisdiction"), Text(e.zh, str(e)),
                   type_=_PROBLEMS + "outside-jurisdiction")


def _not_found(e: NotFound) -> Problem:
    return Problem(404, Text("未找到", "Not found"), Text(e.zh, str(e)))


def _conflict(e: Conflict) -> Problem:
    return Problem(409, Text(e.title_zh, e.title), Text(e.detail_zh, str(e)))


PROBLEMS: ProblemMap = {
    InvalidInput: _invalid,
    OutsideJurisdiction: _outside,
    IllegalTransition: _illegal,
    EvidenceRejected: _evidence_rejected,
    NotFound: _not_found,
    Conflict: _conflict,
    EvidenceAltered: _altered,
}
