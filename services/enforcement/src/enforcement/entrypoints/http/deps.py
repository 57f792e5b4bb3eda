"""Annotated dependencies of the routes: the service's context and who the caller is."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from enforcement.domain.inspections import INSPECTION_ID
from enforcement.domain.paging import CURSOR_PATTERN, Cursor
from enforcement.service_layer.context import Caller, Context
from landgrade_reference.jurisdictions import known_jurisdiction
from servicekit.auth import Principal, require
from servicekit.http import app_context
from servicekit.problems import Problem, Text

CASES_READ, CASES_WRITE, FINDINGS_WRITE = "cases:read", "cases:write", "findings:write"

Ctx = Annotated[Context, Depends(app_context)]

# Path ids as the service issues them (cases, evidence: UUIDs) or accepts them (an app's inspection id).
InspectionId = Annotated[str, Path(max_length=128, pattern=INSPECTION_ID.pattern)]
IssuedId = Annotated[str, Path(max_length=36, pattern=r"^[0-9A-Za-z-]{1,36}$")]


def caller_of(principal: Principal) -> Caller:
    return Caller(principal.subject, principal.jurisdiction, principal.is_admin)


def _acting(*scopes: str) -> Any:
    """The caller, holding one of `scopes`, acting in its own area (checked by the handler)."""
    async def dependency(principal: Principal = require(*scopes)) -> Caller:
        return caller_of(principal)

    return Depends(dependency)


def _reading(*scopes: str) -> Any:
    """A reader bound to an area unless the token reads everything (cases:read, cases:write or
    admin): an inspection-app token (findings:write) must name its jurisdiction, or it would see
    every area."""
    async def dependency(principal: Principal = require(*scopes)) -> Caller:
        caller = caller_of(principal)
        if caller.area is None and not principal.has(CASES_READ) and not principal.has(CASES_WRITE):
            raise Problem(403, Text("须绑定辖区", "Jurisdiction required"),
                          Text("此令牌没有辖区（jurisdiction）声明。", "This token carries no jurisdiction claim."))
        return caller

    return Depends(dependency)


CaseReader = Annotated[Caller, _reading(CASES_READ, CASES_WRITE)]
CaseWriter = Annotated[Caller, _acting(CASES_WRITE)]
InspectionReader = Annotated[Caller, _reading(FINDINGS_WRITE, CASES_READ)]
InspectionWriter = Annotated[Caller, _acting(FINDINGS_WRITE)]
# A street office sets its own street's contact (bound like a reader); enforcement staff any street's.
StreetContactWriter = Annotated[Caller, _reading(CASES_WRITE, FINDINGS_WRITE)]

UNKNOWN_STREET = "https://landgrade.example/problems/unknown-street"


def known_street(raw: str, field: str, where: str) -> str:
    """A street or town of E-Town in any spelling, as its code; 422 naming the field otherwise."""
    found = known_jurisdiction(raw)
    if found is None:
        message = Text("不是亦庄新城的街道或镇", "is not a street or town of E-Town")
        raise Problem(422, Text("未知的街道或镇", "Unknown street or town"),
                      Text(f"{field}：{message.zh}。", f"{field} {message.en}."), type_=UNKNOWN_STREET,
                      errors=[{"field": field, "in": where, "message": message}])
    return found.code


# The lists page by cursor: `after` is the `next` of the previous page. `offset` is the former
# style, still honoured (counted from the cursor when both are given).
AFTER: Any = Query(None, pattern=CURSOR_PATTERN, max_length=53,
                   description="the `next` of the previous page, passed back as it came (an opaque cursor)")
OFFSET: Any = Query(0, ge=0, le=1_000_000_000, deprecated=True,
                    description="deprecated: page by `after` and `next`; rows to skip (past `after` if given)")


def after_cursor(after: str | None) -> Cursor | None:
    return Cursor.parse(after) if after is not None else None
