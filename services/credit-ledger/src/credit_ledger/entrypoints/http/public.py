"""Public disclosure, no login: the list of quality land holders (A, final grades only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from credit_ledger.domain.paging import HOLDER_CURSOR_PATTERN, HolderCursor
from credit_ledger.entrypoints.http.deps import TOO_MANY_REQUESTS, Ctx
from credit_ledger.entrypoints.http.schemas import QualityHoldersOut
from credit_ledger.service_layer import queries
from servicekit.problems import Problem, Text, problem_response

router = APIRouter(prefix="/v1/public", tags=["public"])

# Shared caches may keep the list for at most a minute: a holder that loses its grade must leave
# the list soon after, so the bound stays short.
CACHE_CONTROL = "public, max-age=60"

RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {"description": "too many requests from this client address; `Retry-After` says when to come back",
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
}


@router.get("/quality-holders", response_model=QualityHoldersOut, responses=RESPONSES,
            summary="A-class rights holders of a year (enterprise name, USCC, parcel, year); nothing personal; "
                    "in USCC and parcel order, cursor-paginated (`after`, `next`), with the total")
async def list_quality_holders(
    request: Request,
    response: Response,
    ctx: Ctx,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: the latest graded year")] = None,
    after: Annotated[str | None, Query(pattern=HOLDER_CURSOR_PATTERN, max_length=83, description=(
        "the `next` of the previous page, passed back as it came (an opaque cursor)"))] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most 1000")] = 100,
    # Beyond int64 the database fails (500). Counted from `after` when both are given.
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, deprecated=True, description=(
        "deprecated: page by `after` and `next`; holders to skip (past `after` if given)"))] = 0,
) -> object:
    # The connection's own address: no X-Forwarded-For is trusted.
    client = request.client.host if request.client else "unknown"
    wait = await ctx.public_rate_limit.hit(client)
    if wait is not None:
        return problem_response(
            Problem(429, Text("请求过于频繁", "Too many requests"),
                    Text(f"此地址的请求超过了公开列表的限额，请 {wait} 秒后再试。",
                         f"This address has made more requests to the public list than allowed; retry in {wait} s."),
                    type_=TOO_MANY_REQUESTS),
            request, headers={"Retry-After": str(wait)})
    response.headers["Cache-Control"] = CACHE_CONTROL
    return await queries.quality_holders(ctx.uow(), year, limit, offset, ctx.public_list,
                                         HolderCursor.parse(after) if after is not None else None)
