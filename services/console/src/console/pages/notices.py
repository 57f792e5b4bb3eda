"""The notices page: what the services told the signed-in reader — an enterprise its notices from
the credit ledger (grades, benefits, a year published), a street office or town the new inspection
tasks in its area from enforcement — newest first, each with its delivery state.

Asked with the reader's own token: each service answers for the token's enterprise or street only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.upstream import UpstreamError
from console.web import CallsDep, SessionDep, render
from servicekit.problems import Problem, Text

router = APIRouter()

PAGE = 50


@router.get("/notices")
async def notices_page(request: Request, session: SessionDep, calls: CallsDep,
                       after: Annotated[int | None, Query(ge=1, le=2**62)] = None) -> Response:
    if session.uscc:
        service, recipient = "credit", session.uscc
    elif session.jurisdiction:
        service, recipient = "enforcement", session.jurisdiction
    else:
        raise Problem(403, Text("仅限企业或街道账号", "Enterprise and street-office accounts only"),
                      Text("此页面展示登录企业或街道自己收到的通知。",
                           "This page shows the notices of the signed-in enterprise or street office."),
                      type_="https://landgrade.example/problems/notices-reader-only")
    notices = await calls.maybe(service, "/v1/notices", recipient=recipient, after=after, limit=PAGE)
    return render(request, "notices.html", session, notices=notices, recipient=recipient,
                  is_error=lambda value: isinstance(value, UpstreamError))
