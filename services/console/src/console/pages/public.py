"""The public page (no sign-in): the published list of quality land holders, and what it covers."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages.map import default_year
from console.upstream import UpstreamError
from console.web import MaybeSessionDep, WebDep, lang_of, render

router = APIRouter()


@router.get("/public")
async def public_page(request: Request, w: WebDep, session: MaybeSessionDep,
                      year: int | None = Query(None, ge=2000, le=2100),
                      # Passed on as it came: the credit ledger checks it and the page shows its refusal.
                      after: str | None = Query(None, max_length=83, description="the `next` of the page before")
                      ) -> Response:
    chosen = year or default_year(w)
    # Called without any token: the page shows what anyone may see, whoever is signed in.
    calls = w.upstream.as_(None, lang_of(request))
    page = {"year": chosen, "limit": 100} | ({"after": after} if after else {})
    found = await calls.maybe("credit", "/v1/public/quality-holders", **page)
    latest = default_year(w) + 1
    return render(request, "public.html", session, year=chosen, years=list(range(latest, latest - 5, -1)),
                  holders=found if not isinstance(found, UpstreamError) else None,
                  error=found if isinstance(found, UpstreamError) else None)
