"""Dependency aliases and scopes shared by the routes, and the checks of what callers send."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from evaluation.domain.identifiers import InvalidUscc, parcel_id_problem, parse_uscc
from evaluation.service_layer.context import EvaluationContext
from landgrade_reference.jurisdictions import known_jurisdiction
from servicekit.auth import Principal
from servicekit.http import app_context
from servicekit.problems import Problem

Ctx = Annotated[EvaluationContext, Depends(app_context)]

READ = ("grades:read",)
OBJECT = "objections:write"
# Reviewing objections and running or finalising a year each have their own scope: `admin` (which
# servicekit's `require` lets through everywhere) also unmasks personal data elsewhere.
DECIDE = "objections:decide"
RUNS_WRITE = "runs:write"
ADMIN = "admin"
# Bounded like every year the service accepts: an unbounded int overflows the database column (500).
FIRST_YEAR, LAST_YEAR = 2000, 2100
Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]

PROBLEM_TYPES = "https://landgrade.example/problems/"
NOT_YOUR_PARCEL = PROBLEM_TYPES + "not-your-parcel"
NO_GRADE = PROBLEM_TYPES + "no-grade"
INVALID_PARCEL_ID = PROBLEM_TYPES + "invalid-parcel-id"
UNKNOWN_STREET = PROBLEM_TYPES + "unknown-street"
INVALID_USCC = PROBLEM_TYPES + "invalid-uscc"


def not_your_parcel(parcel_id: str | None = None) -> Problem:
    return Problem(403, "无权操作其他企业的地块 (Not your enterprise's parcel)",
                   "该令牌绑定的企业不是此地块的权利人。"
                   "The enterprise this token is bound to does not hold this parcel.",
                   type_=NOT_YOUR_PARCEL)


def no_grade(parcel_id: str, year: int | None) -> Problem:
    when = f"{year}年" if year else ""
    return Problem(404, "该地块没有评价结果 (No grade)",
                   f"地块 {parcel_id} 没有{when}评价结果。Parcel {parcel_id} has no grade"
                   + (f" for {year}." if year else "."), type_=NO_GRADE)


def checked_parcel_id(raw: str, field: str = "parcel_id", where: str = "path") -> str:
    if problem := parcel_id_problem(raw):
        raise Problem(422, "地块编号无效 (Invalid parcel id)", f"{field} {problem}.", type_=INVALID_PARCEL_ID,
                      errors=[{"field": field, "in": where, "message": problem}])
    return raw


def _parcel_id(parcel_id: Annotated[str, Path()]) -> str:
    return checked_parcel_id(parcel_id)


ParcelId = Annotated[str, Depends(_parcel_id)]


def street_filter(raw: str | None) -> str | None:
    """A street or town of E-Town in any spelling, as the stored Chinese name; 422 otherwise."""
    if raw is None:
        return None
    found = known_jurisdiction(raw)
    if found is None:
        message = "is not a street or town of E-Town"
        raise Problem(422, "未知的街道或镇 (Unknown street or town)", f"street {message}.", type_=UNKNOWN_STREET,
                      errors=[{"field": "street", "in": "query", "message": message}])
    return found.name_zh


def enterprise_of(principal: Principal) -> str | None:
    """The (normalised) enterprise a token is bound to by its `uscc` claim; None when unbound. A
    claim that is not a valid USCC binds the token to nothing it could act for: refused."""
    if principal.uscc is None:
        return None
    try:
        return parse_uscc(principal.uscc)
    except InvalidUscc:
        raise Problem(403, "令牌的企业无效 (Invalid enterprise in token)",
                      "令牌的 uscc 声明不是有效的统一社会信用代码。The token's uscc claim is not a valid USCC.",
                      type_=INVALID_USCC) from None
