"""Dependency aliases and scopes shared by the routes, and the checks of what callers send."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from evaluation.domain.identifiers import (
    PARCEL_ID_MAX,
    PARCEL_ID_SCHEMA,
    InvalidUscc,
    parcel_id_problem,
    parse_uscc,
)
from evaluation.service_layer.context import EvaluationContext
from landgrade_reference.jurisdictions import SPELLINGS, known_jurisdiction
from servicekit.auth import Principal
from servicekit.http import app_context
from servicekit.problems import Problem, Text

Ctx = Annotated[EvaluationContext, Depends(app_context)]

READ = ("grades:read",)
OBJECT = "objections:write"
# Reviewing objections and running or finalising a year each have their own scope: `admin` (which
# servicekit's `require` lets through everywhere) also unmasks personal data elsewhere.
DECIDE = "objections:decide"
RUNS_WRITE = "runs:write"
# Re-evaluating a final year (重新评价) changes final grades: a scope of its own.
REEVALUATE = "grades:reevaluate"
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


NO_RULESET = PROBLEM_TYPES + "no-ruleset-for-year"
UNKNOWN_RULESET = PROBLEM_TYPES + "unknown-ruleset"
UNKNOWN_RUN = PROBLEM_TYPES + "unknown-run"
UNKNOWN_OBJECTION = PROBLEM_TYPES + "unknown-objection"
UNKNOWN_PARCEL = PROBLEM_TYPES + "unknown-parcel"
WINDOW_TOO_SHORT = PROBLEM_TYPES + "objection-window-too-short"
INVALID_DECISION = PROBLEM_TYPES + "invalid-decision"
CALENDAR_UNKNOWN = PROBLEM_TYPES + "official-calendar-unknown"

# Titles of the refusals a year's cycle gives (`PublicationError.kind` is the end of the type URI).
STATE_TITLES = {
    "year-final": Text("该年度评价结果已为正式结果", "The year's grades are final"),
    "already-final": Text("已确定为正式结果", "Already final"),
    "year-not-final": Text("该年度评价结果尚未确定", "The year's grades are not final"),
    "run-not-draft": Text("评价不是草稿状态", "The run is not a draft"),
    "run-not-published": Text("评价尚未公示", "The run is not published"),
    "objection-window-open": Text("异议期尚未结束", "The objection window is open"),
    "objections-pending": Text("尚有异议未决定", "Objections await a decision"),
    "no-objection-window": Text("不在异议期内", "No objection window"),
    "objection-decided": Text("异议已决定", "Objection already decided"),
}


def state_problem(kind: str, zh: str, en: str) -> Problem:
    """409: what the year's or run's state does not allow now, with a type of its own per kind."""
    return Problem(409, STATE_TITLES.get(kind, Text("与当前状态冲突", "Not possible now")), Text(zh, en),
                   type_=PROBLEM_TYPES + kind)


def not_your_parcel(parcel_id: str | None = None) -> Problem:
    return Problem(403, Text("无权操作其他企业的地块", "Not your enterprise's parcel"),
                   Text("该令牌绑定的企业不是此地块的权利人。",
                        "The enterprise this token is bound to does not hold this parcel."),
                   type_=NOT_YOUR_PARCEL)


def no_grade(parcel_id: str, year: int | None) -> Problem:
    when = f"{year}年度" if year else ""
    return Problem(404, Text("该地块没有评价结果", "No grade"),
                   Text(f"地块 {parcel_id} 没有{when}评价结果。",
                        f"Parcel {parcel_id} has no grade" + (f" for {year}." if year else ".")),
                   type_=NO_GRADE)


# Rulesets are data (POST /v1/rulesets adds years): a year none covers is an answer about what is
# stored, not about the request's shape — 404 to a read, 409 to a write.
NO_RULESET_READ: dict[int | str, dict[str, Any]] = {
    404: {"description": "No ruleset covers `year` (`no-ruleset-for-year`, with `covered_years`)"}}


def no_ruleset(year: int, covered: list[int], *, write: bool = False) -> Problem:
    """404 (a read) or 409 (a write) naming `year`: no ruleset is in force for it; the answer lists
    the years one is."""
    listed = "、".join(map(str, covered)) or "无"
    listed_en = ", ".join(map(str, covered)) or "none"
    message = Text(f"没有适用于{year}年度的评价规则；有规则的年度：{listed}",
                   f"no ruleset is in force for {year}; years with a ruleset: {listed_en}")
    return Problem(409 if write else 404, Text("该年度没有评价规则", "No ruleset for the year"), message,
                   type_=NO_RULESET,
                   errors=[{"field": "year", "message": message}], covered_years=covered)


def unknown(kind: str, ident: str) -> Problem:
    """404 for an id the service does not hold (`kind`: run, objection, ruleset)."""
    names = {"run": ("评价", "run", UNKNOWN_RUN), "objection": ("异议", "objection", UNKNOWN_OBJECTION),
             "ruleset": ("评价规则", "ruleset", UNKNOWN_RULESET)}
    zh, en, type_ = names[kind]
    return Problem(404, Text(f"未知{zh}", f"Unknown {en}"),
                   Text(f"{zh} {ident} 不存在。", f"{en.capitalize()} {ident} does not exist."), type_=type_)


def checked_parcel_id(raw: str, field: str = "parcel_id", where: str = "path") -> str:
    if problem := parcel_id_problem(raw):
        message = Text(f"地块编号无效：{_parcel_id_problem_zh(problem)}", problem)
        raise Problem(422, Text("地块编号无效", "Invalid parcel id"),
                      Text(f"{field}：{message.zh}", f"{field} {problem}."), type_=INVALID_PARCEL_ID,
                      errors=[{"field": field, "in": where, "message": message}])
    return raw


def _parcel_id_problem_zh(problem: str) -> str:
    if problem.startswith("is longer than"):
        return f"长度超过 {PARCEL_ID_MAX} 个字符"
    return {"must be text": "应为文本", "must not be empty": "不能为空"}.get(
        problem, "不能含空白、控制字符、孤立代理字符或 / \\ ? # %")


def _parcel_id(parcel_id: Annotated[str, Path(json_schema_extra=PARCEL_ID_SCHEMA)]) -> str:
    return checked_parcel_id(parcel_id)


ParcelId = Annotated[str, Depends(_parcel_id)]
ParcelIdQuery = Annotated[str | None, Query(json_schema_extra=PARCEL_ID_SCHEMA)]
# Every spelling `street_filter` reads, from the one list of E-Town's streets and towns.
STREET_NAMES = list(SPELLINGS)
StreetQuery = Annotated[str | None, Query(description="a street or town of E-Town: its Chinese name, code or "
                                                      "English name", json_schema_extra={"enum": STREET_NAMES})]


def street_filter(raw: str | None) -> str | None:
    """A street or town of E-Town in any spelling, as the stored Chinese name; 422 otherwise."""
    if raw is None:
        return None
    found = known_jurisdiction(raw)
    if found is None:
        message = Text("不是亦庄新城的街道或镇", "is not a street or town of E-Town")
        raise Problem(422, Text("未知的街道或镇", "Unknown street or town"),
                      Text(f"street：{message.zh}。", f"street {message.en}."), type_=UNKNOWN_STREET,
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
        raise Problem(403, Text("令牌的企业无效", "Invalid enterprise in token"),
                      Text("令牌的 uscc 声明不是有效的统一社会信用代码。",
                           "The token's uscc claim is not a valid USCC."),
                      type_=INVALID_USCC) from None
