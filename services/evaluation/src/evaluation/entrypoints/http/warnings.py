"""Dynamic monitoring (动态监测): the current year's early warnings, by year, street and measure.

A warning is a projection of the year from its filings so far, never a grade. Land staff, the
credit platform and admins (`grades:read`) read every street; a street office (`findings:write`,
bound by its `jurisdiction` claim) reads its own street only.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query

from evaluation.domain.identifiers import PARCEL_ID_REGEX
from evaluation.entrypoints.http.deps import READ, Ctx, StreetQuery, Year, checked_parcel_id, street_filter
from evaluation.service_layer import queries
from landgrade_reference.jurisdictions import known_jurisdiction
from servicekit.auth import Principal, require
from servicekit.problems import Problem, Text

router = APIRouter(prefix="/v1", tags=["monitoring"])
STREET_OFFICE = "findings:write"
_TYPES = "https://landgrade.example/problems/"
_MEASURES = ("output_per_ha", "tax_per_ha")
# A page's `next`: the last parcel id, the separator, the last measure.
_CURSOR_PATTERN = f"^{PARCEL_ID_REGEX}{re.escape(queries.WARNING_CURSOR_SEPARATOR)}({'|'.join(_MEASURES)})$"


@router.get("/warnings", summary="Early warnings (projections, not grades) of a year, by street and measure")
async def warnings(ctx: Ctx, year: Year = None,
                   street: StreetQuery = None,
                   measure: Annotated[str | None, Query(pattern="^(output_per_ha|tax_per_ha)$")] = None,
                   after: Annotated[str | None, Query(max_length=200, description="the `next` of the previous page",
                                                      json_schema_extra={"pattern": _CURSOR_PATTERN})] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50,
                   principal: Principal = require(*READ, STREET_OFFICE)) -> dict[str, Any]:
    return await queries.warnings(ctx.uow(), year, _streets(principal, street_filter(street)), measure,
                                  _cursor(after), limit)


def _streets(principal: Principal, street: str | None) -> list[str] | None:
    """The streets the caller may read, narrowed to `street` when given; None for every street."""
    if principal.uscc is not None:
        raise Problem(403, Text("企业令牌不能查看预警名单", "Not for an enterprise's token"),
                      Text("预警名单只供管理部门和街道查看。",
                           "The warning list is for the administration and streets."),
                      type_=_TYPES + "not-for-enterprise")
    if principal.is_admin or any(principal.has(s) for s in READ):
        return [street] if street else None
    if principal.jurisdiction is None:
        raise Problem(403, Text("须绑定辖区", "Jurisdiction required"),
                      Text("此令牌没有辖区（jurisdiction）声明。", "This token carries no jurisdiction claim."),
                      type_=_TYPES + "jurisdiction-required")
    found = known_jurisdiction(principal.jurisdiction)
    own = found.name_zh if found else principal.jurisdiction
    if street is not None and street != own:
        raise Problem(403, Text("超出辖区", "Outside your jurisdiction"),
                      Text(f"只能查看本辖区（{own}）的预警。", f"Only warnings of your own area ({own})."),
                      type_=_TYPES + "outside-jurisdiction")
    return [own]


def _cursor(after: str | None) -> tuple[str, str] | None:
    if after is None:
        return None
    parcel_id, separator, measure = after.rpartition(queries.WARNING_CURSOR_SEPARATOR)
    if not separator or measure not in _MEASURES:
        message = Text("应为上一页返回的 next", "must be the `next` of the previous page")
        raise Problem(422, Text("分页游标无效", "Invalid cursor"),
                      Text(f"after：{message.zh}。", f"after {message.en}."),
                      type_=_TYPES + "invalid-cursor", errors=[{"field": "after", "in": "query", "message": message}])
    checked_parcel_id(parcel_id, "after", "query")
    return parcel_id, measure
